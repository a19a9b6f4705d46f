// Large Float32Arrays of a runtime result travel through a shared-memory file and come back equal; the files and
// folders do not outlive their use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BulkWriter, bulkThresholdBytes, removeBulkFolders, unpackBulk, type BulkFileRef } from '../../src/runtime/rpc/bulkTransfer';

const fakePid = 900000 + (process.pid % 90000);

/** Resolves once `done()` holds, polling each turn of the event loop (the reader removes files asynchronously). */
async function eventually(done: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 1000 && !done(); i++) await new Promise(resolve => setTimeout(resolve, 2));
    assert.ok(done(), what);
}

test('a large Float32Array goes through a file and comes back equal; small values stay inline', async () => {
    const writer = new BulkWriter(fakePid);
    const big = Float32Array.from({ length: bulkThresholdBytes / 4 + 3 }, (_, i) => Math.sin(i) / 7);
    const small = new Float32Array([1, 2, 3]);
    const packed = writer.pack({ attention: big, small, tokens: [{ id: 1, text: 'a' }] });
    const ref = packed.attention as unknown as BulkFileRef;
    assert.equal(typeof ref.$bulkFile, 'string');
    assert.ok(existsSync(ref.$bulkFile));
    assert.equal(packed.small, small);
    assert.deepEqual(packed.tokens, [{ id: 1, text: 'a' }]);

    const unpacked = unpackBulk(structuredClone(packed));
    assert.ok(unpacked.attention instanceof Float32Array);
    assert.deepEqual(unpacked.attention, big);
    await eventually(() => !existsSync(ref.$bulkFile), 'the reader removes the file');
    writer.dispose();
    assert.ok(!existsSync(dirname(ref.$bulkFile)), 'the writer removes its folder');
});

test('a subarray view sends only its own elements', () => {
    const writer = new BulkWriter(fakePid);
    const backing = new Float32Array(bulkThresholdBytes / 2);
    backing.forEach((_, i) => { backing[i] = i; });
    const view = backing.subarray(5, 5 + bulkThresholdBytes / 4);
    const unpacked = unpackBulk(structuredClone(writer.pack({ view })));
    assert.equal(unpacked.view.length, view.length);
    assert.equal(unpacked.view[0], 5);
    assert.equal(unpacked.view[view.length - 1], 5 + view.length - 1);
    writer.dispose();
});

test('folders a killed host left behind are removed by pid', () => {
    const writer = new BulkWriter(fakePid);
    const packed = writer.pack({ data: new Float32Array(bulkThresholdBytes / 4) });
    const folder = dirname((packed.data as unknown as BulkFileRef).$bulkFile);
    assert.ok(existsSync(folder));
    removeBulkFolders(fakePid);
    assert.ok(!existsSync(folder));
    assert.ok(!readdirSync(dirname(folder)).some(name => name.startsWith(`promptscope-host-${fakePid}-`)));
});

test('a file of the wrong size is an error naming it, not a garbled array', () => {
    const writer = new BulkWriter(fakePid);
    const packed = writer.pack({ data: new Float32Array(bulkThresholdBytes / 4) });
    const ref = packed.data as unknown as BulkFileRef;
    assert.throws(() => unpackBulk({ data: { ...ref, length: ref.length + 1 } }), new RegExp(ref.$bulkFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    writer.dispose();
});
