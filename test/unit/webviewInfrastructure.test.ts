import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, escapeHtml, webviewHtml } from '../../src/vscode/webview/webviewHtml';
import { IpcCommand, IpcNotification, IpcRequest, isIpcMessage, readyCommand } from '../../src/webview/shared/ipc';

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
