// Where a prompt runs, as written in front matter (`promptscope.backend`) and on the command line (`--backend`):
// the one parser both use, and the front-matter issues it becomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBackendSetting } from '../../src/core/backends/backendSetting';
import { readPromptscopeSettings } from '../../src/core/prompt/settings/readPromptscopeSettings';
import { serverChoice } from '../../src/cli/backendFlags';
import { UsageError } from '../../src/cli/UsageError';

test('embedded, one URL, several comma-separated, or {url, model}', () => {
    assert.deepEqual(parseBackendSetting('embedded'), { kind: 'embedded' });
    assert.deepEqual(parseBackendSetting('http://127.0.0.1:8080'), { kind: 'openai-compatible', urls: ['http://127.0.0.1:8080'] });
    assert.deepEqual(parseBackendSetting(' http://a:1/v1 , https://b:2 '), { kind: 'openai-compatible', urls: ['http://a:1/v1', 'https://b:2'] });
    assert.deepEqual(parseBackendSetting({ url: ['http://a:1', 'http://b:2'], model: 'qwen' }), { kind: 'openai-compatible', urls: ['http://a:1', 'http://b:2'], model: 'qwen' });
});

test('what cannot be a backend is said precisely, secrets included', () => {
    assert.match(parseBackendSetting('ftp://x') as string, /"ftp:\/\/x" is not an http\(s\) URL/);
    assert.match(parseBackendSetting('gpu-box:8080') as string, /is not an http\(s\) URL|is not a URL/);
    assert.match(parseBackendSetting('http://user:secret@a:1') as string, /carries credentials: put the API key in PROMPTSCOPE_BACKEND_API_KEY/);
    assert.match(parseBackendSetting({ url: 'http://a:1', apiKey: 'k' }) as string, /unknown key apiKey .*API keys belong in the environment/);
    assert.match(parseBackendSetting({ url: 'http://a:1', model: '' }) as string, /model must be a non-empty string/);
    assert.match(parseBackendSetting(',') as string, /names no server URL/);
    assert.match(parseBackendSetting(42) as string, /must be `embedded`, a server URL/);
});

test('front matter: a valid backend is a setting, an invalid one an error on its key', () => {
    assert.deepEqual(readPromptscopeSettings({ 'promptscope.backend': 'http://a:1' }).settings.backend, { kind: 'openai-compatible', urls: ['http://a:1'] });
    const read = readPromptscopeSettings({ 'promptscope.backend': 'http://user:pw@a:1' });
    assert.equal(read.settings.backend, undefined);
    assert.deepEqual(read.issues.map(i => [i.path, i.severity, i.code]), [[['promptscope.backend'], 'error', 'invalid-promptscope-setting']]);
    assert.match(read.issues[0]!.message, /^`promptscope\.backend` "http:\/\/user:pw@a:1" carries credentials/);
});

test('the CLI: --backend over the prompt\'s setting, the key from the environment, headers, and flags that do not fit', () => {
    const prompt = parseBackendSetting('http://from-prompt:1') as Exclude<ReturnType<typeof parseBackendSetting>, string>;
    assert.deepEqual(serverChoice({}, prompt, {}), { urls: ['http://from-prompt:1'] });
    assert.equal(serverChoice({ backend: 'embedded' }, prompt, {}), undefined);
    assert.deepEqual(serverChoice({ backend: 'http://a:1', 'backend-header': ['X-Tenant: blue'], 'backend-timeout': '5', concurrency: '3' }, undefined, { PROMPTSCOPE_BACKEND_API_KEY: ' k1 ' }),
        { urls: ['http://a:1'], apiKey: 'k1', headers: { 'X-Tenant': 'blue' }, timeoutSeconds: 5, concurrency: 3 });
    assert.throws(() => serverChoice({ backend: 'http://a:1', 'backend-header': ['no colon'] }, undefined, {}), (e: unknown) => e instanceof UsageError && /--backend-header expects 'Name: value'/.test(e.message));
    assert.throws(() => serverChoice({ backend: 'http://a:1', 'backend-timeout': '0' }, undefined, {}), /--backend-timeout expects seconds > 0/);
    assert.throws(() => serverChoice({ backend: 'http://a:1', concurrency: '0' }, undefined, {}), /--concurrency expects an integer ≥ 1/);
    assert.throws(() => serverChoice({ backend: 'http://a:1', threads: '2' }, undefined, {}), /--threads configures the embedded runtime/);
    assert.throws(() => serverChoice({ 'backend-model': 'x' }, undefined, {}), /--backend-model applies to a server backend/);
});
