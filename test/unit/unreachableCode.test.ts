import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { unreachableCode } from '../../src/runtime/host/unreachableCode';

async function fetchError(url: string): Promise<unknown> {
    try {
        await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    } catch (error) {
        return error;
    }
    throw new Error(`${url} answered`);
}

test('a host without a DNS answer is unreachable, recognised by the code on fetch\'s cause', async () => {
    // `.invalid` never resolves (RFC 6761), with or without a network.
    const error = await fetchError('http://promptscope-no-such-host.invalid/');
    assert.match(unreachableCode(error) ?? '', /^(ENOTFOUND|EAI_AGAIN)$/);
});

test('a refused connection is unreachable', async () => {
    // A port just closed on this machine refuses connections.
    const server = createServer();
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    await new Promise<void>(done => server.close(() => done()));
    assert.equal(unreachableCode(await fetchError(`http://127.0.0.1:${port}/`)), 'ECONNREFUSED');
});

test('codes are found in causes and in an AggregateError\'s errors; other failures have none', () => {
    const perAddress = new AggregateError([Object.assign(new Error('connect'), { code: 'ENETUNREACH' })], 'all failed');
    assert.equal(unreachableCode(new Error('wrapped', { cause: perAddress })), 'ENETUNREACH');
    assert.equal(unreachableCode(Object.assign(new Error('no such file'), { code: 'ENOENT' })), undefined);
    // The words alone are not a network failure: node-llama-cpp's manifest error has only them, so the caller probes.
    assert.equal(unreachableCode(new Error('Failed to fetch manifest for resolving URI "hf:o/r:Q4": TypeError: fetch failed')), undefined);
    const loop = new Error('loop') as Error & { cause?: unknown };
    loop.cause = loop;
    assert.equal(unreachableCode(loop), undefined);
});
