// Bad model and adapter files are reported as specific errors, checked before llama.cpp sees them (or with
// llama.cpp's own reason), and never take the host down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { EnvironmentVariableError, LoraAdapterError, ModelDownloadError, ModelFileError } from '../../src/shared/errors';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { newClient } from './helpers';

/** Overwrites the bytes of `from` (ASCII, first occurrence) with `to` of the same length. */
function patch(buffer: Buffer, from: string, to: string): Buffer {
    assert.equal(from.length, to.length);
    const at = buffer.indexOf(from, 0, 'latin1');
    assert.ok(at >= 0, `${from} not found in the fixture`);
    const copy = Buffer.from(buffer);
    copy.write(to, at, 'latin1');
    return copy;
}

/** The string value stored right after a GGUF key: key, u32 type (8 = string), u64 length, bytes. */
function patchStringValue(buffer: Buffer, key: string, value: string): Buffer {
    const at = buffer.indexOf(key, 0, 'latin1');
    assert.ok(at >= 0, `${key} not found`);
    const typeAt = at + key.length;
    assert.equal(buffer.readUInt32LE(typeAt), 8, `${key} is not a string`);
    const length = Number(buffer.readBigUInt64LE(typeAt + 4));
    assert.equal(value.length, length, 'same length keeps the header consistent');
    const copy = Buffer.from(buffer);
    copy.write(value, typeAt + 12, 'latin1');
    return copy;
}

test('a runtime host started with a misspelt switch (PROMPTSCOPE_DECODE_LOOP) refuses to load, naming the variable and its values', async () => {
    const { client } = newClient({ env: { ...process.env, PROMPTSCOPE_DECODE_LOOP: 'garbage' } });
    try {
        await assert.rejects(client.loadModel({ model: await fixtureModelPath(), gpu: 'off' }), (error: unknown) => {
            assert.ok(error instanceof EnvironmentVariableError, String(error));
            assert.match(error.message, /PROMPTSCOPE_DECODE_LOOP/);
            assert.match(error.message, /node-llama-cpp/);
            return true;
        });
    } finally {
        await client.dispose();
    }
});

describe('bad model files', () => {
    let client: RuntimeClient;
    let dir: string;
    let fixture: Buffer;
    let modelPath: string;
    let hostPid: number | undefined;

    before(async () => {
        modelPath = await fixtureModelPath();
        fixture = readFileSync(modelPath);
        dir = mkdtempSync(join(tmpdir(), 'promptscope-bad-models-'));
        ({ client } = newClient());
        await client.tokenize('x').catch(() => undefined); // starts the host
        hostPid = client.hostPid;
        assert.ok(hostPid);
    });

    after(async () => {
        await client.dispose();
        rmSync(dir, { recursive: true, force: true });
    });

    async function expectModelFileError(path: string, problem: RegExp): Promise<ModelFileError> {
        let caught: ModelFileError | undefined;
        await assert.rejects(client.loadModel({ model: path, gpu: 'off' }), (error: unknown) => {
            assert.ok(error instanceof ModelFileError, `${path}: expected a ModelFileError, got ${String(error)}`);
            assert.equal(error.path, path);
            assert.match(error.problem, problem);
            assert.ok(error.message.includes(path), 'the message names the file');
            assert.ok(error.fix.length > 10, 'the message says what to do');
            caught = error;
            return true;
        });
        assert.equal(client.hostPid, hostPid, 'the host survived');
        assert.equal(client.loadedModel, undefined);
        return caught!;
    }

    test('a failed load keeps the model that was loaded: it still answers, and the client still names it', async () => {
        const loaded = await client.loadModel({ model: modelPath, gpu: 'off', threads: 1 });
        try {
            const truncated = join(dir, 'keeps-truncated.gguf');
            writeFileSync(truncated, fixture.subarray(0, 600));
            for (const bad of [join(dir, 'keeps-missing.gguf'), truncated]) {
                await assert.rejects(client.loadModel({ model: bad, gpu: 'off', threads: 1 }), ModelFileError);
                assert.equal(client.loadedModel?.path, loaded.path, `after ${bad}`);
                assert.equal(client.hostPid, hostPid, 'the host survived');
                const result = await client.complete({ prompt: 'Still here', sampling: { temperature: 0, maxTokens: 2 } });
                assert.equal(result.tokens.length, 2);
            }
            // A cancelled load is no failure of the model either.
            const cancelled = new AbortController();
            cancelled.abort();
            await assert.rejects(client.loadModel({ model: modelPath, gpu: 'off', threads: 1 }, { signal: cancelled.signal }));
            assert.equal(client.loadedModel?.path, loaded.path);
        } finally {
            await client.unloadModel();
        }
    });

    test('a missing file', async () => {
        await expectModelFileError(join(dir, 'missing.gguf'), /does not exist/);
    });

    test('a directory', async () => {
        const folder = join(dir, 'folder.gguf');
        mkdirSync(folder);
        await expectModelFileError(folder, /directory/);
    });

    test('a file that is not GGUF', async () => {
        const path = join(dir, 'weights.safetensors');
        writeFileSync(path, '{"__metadata__": {}}');
        await expectModelFileError(path, /not a GGUF file \(it starts with "\{"__" instead of "GGUF"\)/);
        const empty = join(dir, 'empty.gguf');
        writeFileSync(empty, '');
        await expectModelFileError(empty, /not a GGUF file \(the file is empty\)/);
    });

    test('an unsupported GGUF version', async () => {
        const path = join(dir, 'v1.gguf');
        const old = Buffer.from(fixture);
        old.writeUInt32LE(1, 4);
        writeFileSync(path, old);
        await expectModelFileError(path, /GGUF version 1 is not supported/);
    });

    test('a truncated header', async () => {
        const path = join(dir, 'truncated-header.gguf');
        writeFileSync(path, fixture.subarray(0, 600));
        await expectModelFileError(path, /header is truncated/);
    });

    test('an architecture llama.cpp does not know', async () => {
        const path = join(dir, 'unknown-arch.gguf');
        writeFileSync(path, patchStringValue(fixture, 'general.architecture', 'zzzzz'));
        await expectModelFileError(path, /architecture "zzzzz" is not known/);
    });

    test('a llama model without feed_forward_length (llama.cpp would abort the process)', async () => {
        const path = join(dir, 'no-ffn.gguf');
        writeFileSync(path, patch(fixture, 'llama.feed_forward_length', 'llama.feed_forward_lengtX'));
        await expectModelFileError(path, /llama\.feed_forward_length is missing/);
    });

    test('a llama model without attention.head_count', async () => {
        const path = join(dir, 'no-heads.gguf');
        writeFileSync(path, patchHeadCount(fixture));
        await expectModelFileError(path, /llama\.attention\.head_count is missing/);
    });

    test('truncated tensor data (an interrupted download)', async () => {
        const path = join(dir, 'truncated-data.gguf');
        writeFileSync(path, fixture.subarray(0, fixture.length - 4096));
        await expectModelFileError(path, new RegExp(`the file is truncated: its tensors need ${fixture.length} bytes, the file has ${fixture.length - 4096}`));
    });

    test('a LoRA adapter that is missing, or is a model, is a LoraAdapterError', async () => {
        await assert.rejects(client.loadModel({ model: modelPath, gpu: 'off', lora: [{ path: join(dir, 'nope-lora.gguf') }] }),
            (error: unknown) => error instanceof LoraAdapterError && /does not exist/.test(error.message));
        await assert.rejects(client.loadModel({ model: modelPath, gpu: 'off', lora: [{ path: modelPath }] }),
            (error: unknown) => error instanceof LoraAdapterError && /not an adapter/.test(error.message));
        const adapter = await fixtureLoraPath();
        await assert.rejects(client.loadModel({ model: adapter, gpu: 'off' }),
            (error: unknown) => error instanceof ModelFileError && /LoRA adapter, not a model/.test(error.message));
        assert.equal(client.hostPid, hostPid);
    });

    test('after all that, the same host loads the good model', async () => {
        const copy = join(dir, 'good.gguf');
        copyFileSync(modelPath, copy);
        const info = await client.loadModel({ model: copy, gpu: 'off' });
        assert.equal(info.path, copy);
        assert.equal(client.hostPid, hostPid);
    });

    test('an hf: URI without network fails fast with a ModelDownloadError that says how to use a local file', async () => {
        const started = performance.now();
        await assert.rejects(
            client.loadModel({ model: 'hf:promptscope-test/no-such-model-GGUF:Q4_K_M', modelsDirectory: join(dir, 'models'), gpu: 'off' }),
            (error: unknown) => {
                assert.ok(error instanceof ModelDownloadError, String(error));
                assert.equal(error.uri, 'hf:promptscope-test/no-such-model-GGUF:Q4_K_M');
                assert.match(error.message, /promptscope\.model .* local \.gguf file/);
                return true;
            });
        const seconds = (performance.now() - started) / 1000;
        assert.ok(seconds < 15, `took ${seconds.toFixed(1)} s`);
    });
});

/** Renames the `llama.attention.head_count` key (not `head_count_kv`) so that llama.cpp would not find it. */
function patchHeadCount(buffer: Buffer): Buffer {
    const key = 'llama.attention.head_count';
    let at = -1;
    for (let from = 0; ; from = at + 1) {
        at = buffer.indexOf(key, from, 'latin1');
        assert.ok(at >= 0, `${key} not found`);
        // A GGUF key is preceded by its u64 length; the exact key has length 26 (head_count_kv has 29).
        if (Number(buffer.readBigUInt64LE(at - 8)) === key.length) break;
    }
    const copy = Buffer.from(buffer);
    copy.write('X', at + key.length - 1, 'latin1');
    return copy;
}
