import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, escapeHtml, webviewHtml } from '../../src/vscode/webview/webviewHtml';
import { IpcCommand, IpcNotification, IpcRequest, isIpcMessage, readyCommand } from '../../src/shared/protocols/ipc';
import { rovingTarget } from '../../src/webview/shared/rovingFocus';

const page = (title: string) => webviewHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'bm9uY2Vub25jZW5vbmNlMQ==',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/x.js',
    styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/webview/x.css'],
    title,
});

test('the page has a strict CSP: nothing by default, scripts only with the nonce', () => {
    const html = page('t');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'CSP meta');
    assert.equal(csp, contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'bm9uY2Vub25jZW5vbmNlMQ=='));
    assert.match(csp, /^default-src 'none'; script-src 'nonce-bm9uY2Vub25jZW5vbmNlMQ=='; style-src https:\/\/file\+\S+ 'nonce-bm9uY2Vub25jZW5vbmNlMQ=='; img-src \S+ data:/);
    assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(m => m[0]);
    assert.deepEqual(scripts, ['<script nonce="bm9uY2Vub25jZW5vbmNlMQ==" src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/x.js">']);
});

test('text in the page is escaped: a hostile title stays text', () => {
    for (const hostile of ['<img src=x onerror=alert(1)>', '</script><script>alert(1)</script>', '" onload="alert(1)']) {
        const html = page(hostile);
        assert.ok(!html.includes(hostile), hostile);
        assert.equal([...html.matchAll(/<script\b/g)].length, 1);
        assert.doesNotMatch(html, /<img/);
    }
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('nonces are fresh, base64 and 128 bits; a malformed one is refused', () => {
    const a = createNonce();
    assert.notEqual(a, createNonce());
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.throws(() => webviewHtml({ cspSource: 'x', nonce: `a' 'unsafe-inline`, scriptUri: 'y', title: 't' }));
});

test('ipc: messages are scoped and narrowed by method; requests have a response notification', () => {
    const command = new IpcCommand<{ n: number }>('panel', 'do');
    const request = new IpcRequest<{ q: string }, { a: string }>('panel', 'ask');
    const notification = new IpcNotification<string>('panel', 'tell');
    assert.equal(command.method, 'panel/do');
    assert.equal(request.response.method, 'panel/ask/response');
    assert.equal(readyCommand.method, 'core/ready');
    const message: unknown = { method: 'panel/do', params: { n: 1 } };
    assert.ok(isIpcMessage(message));
    assert.ok(command.is(message));
    assert.equal(message.params.n, 1);
    assert.ok(!notification.is(message));
    assert.ok(!isIpcMessage(null));
    assert.ok(!isIpcMessage({ params: 1 }));
    assert.ok(!isIpcMessage('core/ready'));
});

/** A vscode.Webview with what WebviewConnection uses: postMessage (recorded) and onDidReceiveMessage (driven by the test). */
function fakeWebview() {
    const posted: unknown[] = [];
    let listener: ((data: unknown) => unknown) | undefined;
    const webview = {
        postMessage: async (message: unknown) => {
            posted.push(message);
            return true;
        },
        onDidReceiveMessage: (l: (data: unknown) => unknown) => {
            listener = l;
            return { dispose: () => { listener = undefined; } };
        },
    };
    const log = { warnings: [] as string[], errors: [] as string[], warn(m: string) { this.warnings.push(m); }, error(m: string) { this.errors.push(m); } };
    /** A message from the page; resolves once the connection has handled it. */
    const receive = async (data: unknown) => {
        listener?.(data);
        await new Promise(resolve => setImmediate(resolve));
    };
    return { webview, log, posted, receive, listening: () => listener !== undefined };
}

test('ready handshake: nothing is posted before the page says ready; every ready (reload, shown again) sends the state afresh', async () => {
    const { WebviewConnection } = await import('../../src/vscode/webview/WebviewConnection');
    const { webview, log, posted, receive, listening } = fakeWebview();
    const state = new IpcNotification<{ n: number }>('panel', 'state');
    const connection = new WebviewConnection(webview as never, log as never);
    let n = 0;
    connection.onReady(() => void connection.notify(state, { n: ++n }));

    assert.equal(await connection.notify(state, { n: 0 }), false, 'dropped before ready: VS Code would lose it');
    assert.deepEqual(posted, []);
    await receive({ method: readyCommand.method, params: undefined });
    assert.deepEqual(posted, [{ method: 'panel/state', params: { n: 1 } }]);
    assert.equal(await connection.notify(state, { n: 7 }), true);

    // The page is replaced (new HTML, or recreated after being hidden): quiet until its own ready.
    connection.reset();
    assert.equal(await connection.notify(state, { n: 8 }), false);
    await receive({ method: readyCommand.method, params: undefined });
    assert.deepEqual(posted.map(m => (m as { params: { n: number } }).params.n), [1, 7, 2]);

    connection.dispose();
    assert.ok(!listening(), 'dispose stops listening');
});

test('typed messages: commands and requests reach their handlers; a response carries the completionId; junk is logged, not run', async () => {
    const { WebviewConnection } = await import('../../src/vscode/webview/WebviewConnection');
    const { webview, log, posted, receive } = fakeWebview();
    const connection = new WebviewConnection(webview as never, log as never);
    const command = new IpcCommand<{ index: number }>('panel', 'pin');
    const request = new IpcRequest<{ format: string }, { path?: string }>('panel', 'export');
    const pinned: number[] = [];
    connection.onCommand(command, params => pinned.push(params.index));
    connection.onRequest(request, params => ({ path: `/tmp/x.${params.format}` }));

    await receive({ method: 'panel/pin', params: { index: 3 } });
    assert.deepEqual(pinned, [3]);
    await receive({ method: 'panel/export', params: { format: 'json' }, completionId: 5 });
    assert.deepEqual(posted, [{ method: 'panel/export/response', params: { path: '/tmp/x.json' }, completionId: 5 }]);

    for (const junk of ['panel/pin', null, { params: 1 }, { method: 42 }]) await receive(junk);
    await receive({ method: 'other/pin', params: { index: 9 } });
    assert.deepEqual(pinned, [3], 'a message of another scope or without a method runs nothing');
    assert.equal(log.warnings.length, 5);
    // A handler that throws is logged, and the connection goes on.
    connection.onCommand(command, () => { throw new Error('boom'); });
    await receive({ method: 'panel/pin', params: { index: 1 } });
    assert.match(log.errors[0]!, /panel\/pin failed: Error: boom/);
});

test('every request gets a reply: a handler that throws answers with the error (no stack), and the page\'s promise rejects with it, of its class', async () => {
    const { WebviewConnection } = await import('../../src/vscode/webview/WebviewConnection');
    const { HostConnection } = await import('../../src/webview/shared/HostConnection');
    const { ModelFileError } = await import('../../src/shared/errors/ModelFileError');
    // The page's window: HostConnection listens to its message events, which the host's postMessage dispatches.
    const page = new EventTarget();
    const globals = globalThis as { window?: unknown };
    const previousWindow = globals.window;
    globals.window = page;
    try {
        const { webview, log, posted, receive } = fakeWebview();
        const connection = new WebviewConnection(webview as never, log as never);
        const sent: unknown[] = [];
        const host = new HostConnection({ postMessage: (message: unknown) => { sent.push(message); void receive(message); }, getState: () => undefined, setState: () => undefined });
        /** Delivers what the host posted since the last call to the page. */
        const deliver = () => {
            for (const message of posted.splice(0)) page.dispatchEvent(Object.assign(new Event('message'), { data: message }));
        };
        const request = new IpcRequest<{ path: string }, { name: string }>('panel', 'load');
        connection.onRequest(request, ({ path }) => {
            if (path === 'good.gguf') return { name: 'good' };
            throw new ModelFileError(path, 'not a GGUF file', 'Choose a .gguf model.');
        });

        const good = host.request(request, { path: 'good.gguf' });
        const bad = host.request(request, { path: 'bad.gguf' });
        await new Promise(resolve => setImmediate(resolve));
        assert.equal(sent.length, 2);
        type Reply = { method: string; completionId: number; params: unknown; error?: { name: string; message: string; fields: Record<string, unknown>; hostStack?: string } };
        const badId = (sent[1] as { completionId: number }).completionId;
        const reply = (posted as Reply[]).find(m => m.completionId === badId);
        assert.ok(reply !== undefined && reply.error !== undefined, 'the failed request got a reply with its error');
        assert.equal(reply.method, 'panel/load/response');
        assert.equal(reply.params, undefined);
        assert.deepEqual({ ...reply.error }, {
            name: 'ModelFileError', message: 'Cannot use model file bad.gguf: not a GGUF file. Choose a .gguf model.',
            fields: { path: 'bad.gguf', problem: 'not a GGUF file', fix: 'Choose a .gguf model.' },
        }, 'serialized as {name, message, fields}, without the extension host\'s stack');
        assert.match(log.errors[0]!, /panel\/load failed: ModelFileError: Cannot use model file bad\.gguf/, 'the failure is logged with its stack');

        deliver();
        assert.deepEqual(await good, { name: 'good' });
        const error = await bad.then(() => assert.fail('the request resolved'), (e: unknown) => e);
        assert.ok(error instanceof ModelFileError, 'revived as its own class');
        assert.equal(error.path, 'bad.gguf');
        assert.equal(error.message, 'Cannot use model file bad.gguf: not a GGUF file. Choose a .gguf model.');

        // A plain Error (not one of ours) arrives as an Error with its message; an async handler's rejection likewise.
        connection.onRequest(request, async () => { throw new TypeError('cannot read properties of undefined'); });
        const plain = host.request(request, { path: 'x' });
        await new Promise(resolve => setImmediate(resolve));
        deliver();
        await assert.rejects(plain, (e: unknown) => e instanceof Error && e.name === 'TypeError' && e.message === 'cannot read properties of undefined');
    } finally {
        globals.window = previousWindow;
    }
});

test('roving tabindex: arrows move by one within the list, Home and End to its ends; other keys are not movements', () => {
    assert.equal(rovingTarget('ArrowRight', 2, 5), 3);
    assert.equal(rovingTarget('ArrowDown', 2, 5), 3);
    assert.equal(rovingTarget('ArrowLeft', 2, 5), 1);
    assert.equal(rovingTarget('ArrowUp', 2, 5), 1);
    assert.equal(rovingTarget('ArrowRight', 4, 5), 4, 'no wrap past the end');
    assert.equal(rovingTarget('ArrowLeft', 0, 5), 0, 'no wrap before the start');
    assert.equal(rovingTarget('Home', 3, 5), 0);
    assert.equal(rovingTarget('End', 1, 5), 4);
    for (const key of ['Enter', ' ', 'Escape', 'Tab', 'a']) assert.equal(rovingTarget(key, 1, 5), undefined, key);
    assert.equal(rovingTarget('End', 0, 0), undefined, 'an empty list has nowhere to go');
});
