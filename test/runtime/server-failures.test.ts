// What goes wrong between the client and a server, produced on demand by a small stub that speaks just enough of the
// OpenAI API (a real llama-server cannot be made to fail this way at a chosen moment): server down, killed
// mid-stream, slow, 429 then success, 5xx throughout, malformed JSON, wrong model name; plus round-robin, the
// concurrency limit and cancellation of a request in flight. Each failure is its own error class, nothing is lost.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { OpenAiCompatibleBackend } from '../../src/runtime/backends/openai/OpenAiCompatibleBackend';
import { ServerUnreachableError } from '../../src/shared/errors/ServerUnreachableError';
import { ServerStreamError } from '../../src/shared/errors/ServerStreamError';
import { ServerTimeoutError } from '../../src/shared/errors/ServerTimeoutError';
import { ServerHttpError } from '../../src/shared/errors/ServerHttpError';
import { ServerResponseError } from '../../src/shared/errors/ServerResponseError';
import { ServerModelError } from '../../src/shared/errors/ServerModelError';
import { freePort } from '../support/llamaServer';

type Completion = (request: IncomingMessage, response: ServerResponse, body: Record<string, unknown>, count: number) => void;

interface Stub {
    url: string;
    /** Completion requests received. */
    requests: Record<string, unknown>[];
    /** Most completion requests open at once. */
    peak: number;
    /** Connections closed by the client before the reply ended. */
    clientClosed: number;
    server: Server;
}

const stubs: Server[] = [];
after(() => { for (const s of stubs) s.closeAllConnections(), s.close(); });

/** A stub server serving `models` and answering completions with `completion`. */
async function stub(completion: Completion, options: { models?: string[]; modelsBody?: string } = {}): Promise<Stub> {
    const state: Stub = { url: '', requests: [], peak: 0, clientClosed: 0, server: undefined as unknown as Server };
    let open = 0;
    const server = createServer((request, response) => {
        if (request.url === '/v1/models') {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(options.modelsBody ?? JSON.stringify({ object: 'list', data: (options.models ?? ['stub-model']).map(id => ({ id, object: 'model' })) }));
            return;
        }
        if (request.url !== '/v1/chat/completions') {
            response.writeHead(404).end();
            return;
        }
        let text = '';
        request.on('data', (chunk: Buffer) => { text += chunk.toString(); });
        request.on('end', () => {
            const body = JSON.parse(text) as Record<string, unknown>;
            state.requests.push(body);
            open++;
            state.peak = Math.max(state.peak, open);
            let ended = false;
            response.on('finish', () => { ended = true; });
            response.on('close', () => { open--; if (!ended) state.clientClosed++; });
            completion(request, response, body, state.requests.length);
        });
    });
    stubs.push(server);
    const port = await freePort();
    await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${port}`;
    state.server = server;
    return state;
}

function event(response: ServerResponse, value: unknown): void {
    response.write(`data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`);
}

function chunk(content: string, finish?: string) {
    return { object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: finish ?? null }] };
}

/** A well-formed streamed reply: `pieces`, then a final chunk with usage, then [DONE]. */
function reply(pieces: string[], delayMs = 0): Completion {
    return (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        let i = 0;
        const next = () => {
            if (i < pieces.length) {
                event(response, chunk(pieces[i++]!));
                setTimeout(next, delayMs);
                return;
            }
            event(response, { ...chunk('', 'stop'), usage: { prompt_tokens: 3, completion_tokens: pieces.length } });
            event(response, '[DONE]');
            response.end();
        };
        next();
    };
}

const messages = [{ role: 'user' as const, text: 'hi' }];

test('a stub that answers properly: the streamed text, in chunks, with usage and the seed sent', async () => {
    const s = await stub(reply(['Hel', 'lo', '!']));
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url] });
    const chunks: string[] = [];
    const result = await backend.chat({ messages, sampling: { seed: 5, temperature: 0.5 } }, { onToken: c => chunks.push(c.text) });
    assert.deepEqual(chunks, ['Hel', 'lo', '!']);
    assert.equal(result.text, 'Hello!');
    assert.equal(result.stopReason, 'eos');
    assert.equal(result.timing.generatedTokens, 3);
    assert.equal(s.requests[0]!.seed, 5);
    assert.equal(s.requests[0]!.model, 'stub-model');
    assert.equal(s.requests[0]!.stream, true);
    assert.deepEqual(backend.capabilities.slots, 1, 'a server without llama-server\'s /props: one slot');
    assert.equal(backend.capabilities.grammar, false);
    await assert.rejects(backend.chat({ messages, sampling: { grammar: 'root ::= "x"' } }), /GBNF grammars need the embedded runtime or llama-server/);
    await backend.close();
});

test('server down: ServerUnreachableError naming the URL and the reason', async () => {
    const port = await freePort();
    await assert.rejects(OpenAiCompatibleBackend.connect({ urls: [`http://127.0.0.1:${port}`] }),
        (error: unknown) => error instanceof ServerUnreachableError && error.reason === 'ECONNREFUSED' && error.message.includes(`127.0.0.1:${port}`));
});

test('killed mid-stream: ServerStreamError, with the text streamed before it kept', async () => {
    const s = await stub((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        event(response, chunk('partial '));
        event(response, chunk('text'));
        setTimeout(() => response.socket!.destroy(), 50);
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url] });
    const streamed: string[] = [];
    await assert.rejects(backend.chat({ messages }, { onToken: c => streamed.push(c.text) }),
        (error: unknown) => error instanceof ServerStreamError && error.partialText === 'partial text');
    assert.deepEqual(streamed, ['partial ', 'text'], 'what arrived was shown');
    assert.equal(s.requests.length, 1, 'a broken stream is not sent again (it was already shown)');
});

test('a stream that just ends without a final event is a ServerStreamError too', async () => {
    const s = await stub((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        event(response, chunk('half'));
        response.end();
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url] });
    await assert.rejects(backend.chat({ messages }), (error: unknown) => error instanceof ServerStreamError && error.partialText === 'half');
});

test('slow: nothing for the timeout, ServerTimeoutError, and the request is aborted', async () => {
    const s = await stub(() => { /* never answers */ });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url], timeoutSeconds: 0.3 });
    await assert.rejects(backend.chat({ messages }), (error: unknown) => error instanceof ServerTimeoutError && error.seconds === 0.3);
    await new Promise(resolve => setTimeout(resolve, 50));
    assert.equal(s.clientClosed, 1);
});

test('a stream that stalls after its first chunk times out the same way (the timeout is per silence, not per reply)', async () => {
    const s = await stub((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        event(response, chunk('a'));
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url], timeoutSeconds: 0.3 });
    await assert.rejects(backend.chat({ messages }), ServerTimeoutError);
    // A slow but steady stream is not cut: each chunk restarts the wait.
    const steady = await stub(reply(['a', 'b', 'c', 'd', 'e'], 100));
    const patient = await OpenAiCompatibleBackend.connect({ urls: [steady.url], timeoutSeconds: 0.3 });
    assert.equal((await patient.chat({ messages })).text, 'abcde');
});

test('429 then success: retried after Retry-After, the result as if nothing happened', async () => {
    const s = await stub((request, response, body, count) => {
        if (count === 1) {
            response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
            response.end(JSON.stringify({ error: { message: 'slow down', code: 429 } }));
            return;
        }
        reply(['ok'])(request, response, body, count);
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url] });
    const result = await backend.chat({ messages, sampling: { seed: 9 } });
    assert.equal(result.text, 'ok');
    assert.equal(s.requests.length, 2);
    assert.deepEqual(s.requests[1], s.requests[0], 'the same request, seed included');
});

test('5xx throughout: ServerHttpError with the status, the server\'s message and the attempts', async () => {
    const s = await stub((_request, response) => {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'Loading model', code: 503 } }));
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url], retries: 2, retryBaseMs: 10 });
    await assert.rejects(backend.chat({ messages }),
        (error: unknown) => error instanceof ServerHttpError && error.status === 503 && error.attempts === 3 && error.serverMessage === 'Loading model');
    assert.equal(s.requests.length, 3);
    // A 4xx is the request's fault: not retried.
    const bad = await stub((_request, response) => { response.writeHead(400, { 'content-type': 'application/json' }); response.end('{"error": {"message": "bad field"}}'); });
    const once = await OpenAiCompatibleBackend.connect({ urls: [bad.url], retryBaseMs: 10 });
    await assert.rejects(once.chat({ messages }), (error: unknown) => error instanceof ServerHttpError && error.status === 400 && error.attempts === 1);
    assert.equal(bad.requests.length, 1);
});

test('malformed JSON: ServerResponseError, in a streamed event and in a plain reply', async () => {
    const s = await stub((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        event(response, chunk('fine '));
        event(response, '{"choices": [ {"delta": ');
        response.end();
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url] });
    await assert.rejects(backend.chat({ messages }), (error: unknown) => error instanceof ServerResponseError && /not a JSON object/.test(error.message));
    const models = await stub(reply([]), { modelsBody: '<html>gateway error</html>' });
    await assert.rejects(OpenAiCompatibleBackend.connect({ urls: [models.url] }), (error: unknown) => error instanceof ServerResponseError && /not JSON/.test(error.message));
    const shape = await stub((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        event(response, { unexpected: true });
        response.end();
    });
    const odd = await OpenAiCompatibleBackend.connect({ urls: [shape.url] });
    await assert.rejects(odd.chat({ messages }), (error: unknown) => error instanceof ServerResponseError && /`choices` is missing/.test(error.message));
});

test('wrong model name, or several models and none named: ServerModelError listing what the server serves', async () => {
    const s = await stub(reply(['x']), { models: ['llama-3-8b', 'qwen-7b'] });
    await assert.rejects(OpenAiCompatibleBackend.connect({ urls: [s.url], model: 'gpt-4' }),
        (error: unknown) => error instanceof ServerModelError && error.model === 'gpt-4' && error.served.join() === 'llama-3-8b,qwen-7b');
    await assert.rejects(OpenAiCompatibleBackend.connect({ urls: [s.url] }), ServerModelError);
    const chosen = await OpenAiCompatibleBackend.connect({ urls: [s.url], model: 'qwen-7b' });
    await chosen.chat({ messages });
    assert.equal(s.requests[0]!.model, 'qwen-7b');
});

test('round-robin over base URLs, a concurrency limit over all of them, results in request order', async () => {
    const a = await stub((request, response, body, count) => reply([`a${count}`], 30)(request, response, body, count));
    const b = await stub((request, response, body, count) => reply([`b${count}`], 30)(request, response, body, count));
    const backend = await OpenAiCompatibleBackend.connect({ urls: [a.url, `${b.url}/v1/`], concurrency: 2 });
    const many = await backend.chatMany({ messages, n: 6, sampling: { seed: 3 } });
    assert.equal(a.requests.length, 3);
    assert.equal(b.requests.length, 3);
    assert.ok(a.peak + b.peak <= 2 && Math.max(a.peak, b.peak) === 1, 'at most 2 in flight over both servers');
    assert.deepEqual(many.paths.map(p => p.text), ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    assert.deepEqual(many.paths.map(p => p.seed), [a.requests[0]!.seed, b.requests[0]!.seed, a.requests[1]!.seed, b.requests[1]!.seed, a.requests[2]!.seed, b.requests[2]!.seed]);
    assert.equal(many.paths[0]!.seed, 3, 'path 0 carries the request seed itself');
});

test('one of two servers down: its requests go to the other', async () => {
    const up = await stub(reply(['up']));
    const down = `http://127.0.0.1:${await freePort()}`;
    const backend = await OpenAiCompatibleBackend.connect({ urls: [up.url] });
    // Connecting checks every URL, so the down one is added behind connect's back: the case of a server dying later.
    (backend as unknown as { connection: { urls: string[] } }).connection.urls.push(down);
    const texts = await Promise.all([1, 2, 3, 4].map(() => backend.chat({ messages }).then(r => r.text)));
    assert.deepEqual(texts, ['up', 'up', 'up', 'up']);
});

test('cancelling aborts the request in flight: the partial text, stopReason aborted, the server sees the connection close', async () => {
    const s = await stub((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        event(response, chunk('first '));
        // Then nothing until the client gives up.
    });
    const backend = await OpenAiCompatibleBackend.connect({ urls: [s.url] });
    const controller = new AbortController();
    const result = await backend.chat({ messages }, { signal: controller.signal, onToken: () => controller.abort() });
    assert.equal(result.stopReason, 'aborted');
    assert.equal(result.text, 'first ');
    await new Promise(resolve => setTimeout(resolve, 50));
    assert.equal(s.clientClosed, 1);
});
