// The runtime host streams generated tokens only to callers that listen (request.stream): without a listener each token
// would still cost an IPC message on both sides' main threads. Drives RuntimeHost in-process on the real engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostMessage } from '../../src/runtime/rpc/protocol';
import { LlamaEngine } from '../../src/runtime/host/engine/LlamaEngine';
import { RuntimeHost } from '../../src/runtime/host/RuntimeHost';
import { fixtureModelPath } from '../support/fixtures';

const engine = new LlamaEngine();
const sent: HostMessage[] = [];
const host = new RuntimeHost(engine, (message, done) => {
    sent.push(message);
    setImmediate(done);
});

before(async () => {
    await engine.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 });
});

after(async () => {
    await engine.dispose();
});

async function answer(id: number): Promise<{ tokens: number[] }> {
    for (;;) {
        const reply = sent.find(m => (m.type === 'response' || m.type === 'error') && m.id === id);
        if (reply?.type === 'error') throw new Error(JSON.stringify(reply.error));
        if (reply?.type === 'response') return reply.result as { tokens: number[] };
        await new Promise(resolve => setTimeout(resolve, 5));
    }
}

const params = { prompt: 'The cat sat on the', sampling: { temperature: 0, maxTokens: 8 } };

test('a request without a token listener gets the result and no token messages', async () => {
    host.receive({ type: 'request', id: 1, method: 'complete', params });
    const result = await answer(1);
    assert.ok(result.tokens.length > 0);
    assert.equal(sent.filter(m => m.type === 'tokens' && m.id === 1).length, 0);
});

test('a streamed request gets every token in token messages before its result', async () => {
    host.receive({ type: 'request', id: 2, method: 'complete', params, stream: true });
    const result = await answer(2);
    const chunks = sent.filter((m): m is Extract<HostMessage, { type: 'tokens' }> => m.type === 'tokens' && m.id === 2);
    assert.ok(chunks.length > 0);
    assert.deepEqual(chunks.flatMap(c => c.tokens), result.tokens);
    assert.ok(sent.findIndex(m => m.type === 'response' && m.id === 2) > sent.lastIndexOf(chunks.at(-1)!));
});
