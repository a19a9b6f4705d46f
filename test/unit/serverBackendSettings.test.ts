// The editor's server backend choice without VS Code: the settings read into typed values (bad ones named), the
// `.prompt` file's promptscope.backend winning over the settings, an untrusted workspace refused when it names the
// server itself, and failures worded by class (unreachable, wrong model name, HTTP 429, timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerHttpError } from '../../src/shared/errors/ServerHttpError';
import { ServerModelError } from '../../src/shared/errors/ServerModelError';
import { ServerTimeoutError } from '../../src/shared/errors/ServerTimeoutError';
import { ServerUnreachableError } from '../../src/shared/errors/ServerUnreachableError';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import { chooseBackend } from '../../src/vscode/backend/backendChoice';
import { describeServerFailure } from '../../src/vscode/backend/serverFailure';
import { readServerSettings } from '../../src/vscode/backend/serverSettings';

const read = (values: Record<string, unknown>) => readServerSettings(key => values[key]);

test('the settings: embedded by default; openai-compatible with URLs, model, headers, timeout, concurrency', () => {
    assert.deepEqual(read({}).settings, { backend: { kind: 'embedded' }, headers: {}, timeoutSeconds: 120, concurrency: undefined, afterSampler: false });
    const { settings, problems } = read({
        backend: 'openai-compatible', 'server.urls': ['http://127.0.0.1:8080', 'http://127.0.0.1:8081/v1'], 'server.model': 'qwen',
        'server.headers': { 'X-Tenant': 'a' }, 'server.timeoutSeconds': 30, 'server.concurrency': 3, 'server.probabilitiesAfterSampler': true,
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
        backend: { kind: 'openai-compatible', urls: ['http://127.0.0.1:8080', 'http://127.0.0.1:8081/v1'], model: 'qwen' },
        headers: { 'X-Tenant': 'a' }, timeoutSeconds: 30, concurrency: 3, afterSampler: true,
    });
});

test('bad settings are named with the fix; an unusable backend is not replaced by the embedded runtime', () => {
    const noUrl = read({ backend: 'openai-compatible' });
    assert.equal(noUrl.settings, undefined);
    assert.match(noUrl.problems[0]!, /^promptscope\.server\.urls: names no server URL; set it to the server's base URL/);
    assert.match(read({ backend: 'openai-compatible', 'server.urls': ['ftp://x'] }).problems[0]!, /"ftp:\/\/x" is not an http\(s\) URL/);
    assert.match(read({ backend: 'openai-compatible', 'server.urls': ['http://u:p@x'] }).problems[0]!, /carries credentials/);
    assert.match(read({ backend: 'remote' }).problems[0]!, /^promptscope\.backend: "remote" is not "embedded" or "openai-compatible"/);
    const headers = read({ 'server.headers': { Authorization: 'Bearer x', 'bad name': 'v', 'X-Ok': 'y' } });
    assert.deepEqual(headers.settings?.headers, { 'X-Ok': 'y' });
    assert.equal(headers.problems.length, 2);
    assert.match(headers.problems.join('\n'), /Authorization is not taken from settings; run "Promptscope: Set Server API Key…"/);
    assert.match(read({ 'server.timeoutSeconds': 0 }).problems[0]!, /timeoutSeconds: 0 is not a number of seconds > 0; using 120/);
    assert.match(read({ 'server.concurrency': 1.5 }).problems[0]!, /concurrency: 1\.5 is not an integer ≥ 1/);
    assert.equal(read({ 'server.concurrency': 0 }).settings?.concurrency, undefined);
    assert.match(read({ 'server.probabilitiesAfterSampler': 'yes' }).problems[0]!, /probabilitiesAfterSampler: "yes" is not true or false; using false/);
});

const serverSettings = read({ backend: 'openai-compatible', 'server.urls': ['http://a:1'], 'server.model': 'm', 'server.timeoutSeconds': 9 }).settings!;
const embeddedSettings = read({}).settings!;

test('a .prompt file\'s promptscope.backend wins over the settings, both ways', () => {
    assert.deepEqual(chooseBackend({ prompt: { kind: 'embedded' }, settings: serverSettings, workspaceSetsServer: false, workspaceTrusted: true }), { kind: 'embedded' });
    const fromPrompt = chooseBackend({ prompt: { kind: 'openai-compatible', urls: ['http://b:2'] }, promptName: 'x.prompt', settings: embeddedSettings, workspaceSetsServer: false, workspaceTrusted: true });
    assert.deepEqual(fromPrompt, { kind: 'server', chosenBy: 'promptscope.backend in x.prompt', options: { urls: ['http://b:2'], timeoutSeconds: 120 } });
    // The settings' model name goes with the settings' server only.
    const sameServer = chooseBackend({ prompt: { kind: 'openai-compatible', urls: ['http://a:1/v1'] }, settings: serverSettings, workspaceSetsServer: false, workspaceTrusted: true });
    assert.equal(sameServer.kind === 'server' && sameServer.options.model, 'm');
    const fromSettings = chooseBackend({ settings: serverSettings, workspaceSetsServer: false, workspaceTrusted: true });
    assert.deepEqual(fromSettings, { kind: 'server', chosenBy: 'the settings promptscope.backend and promptscope.server.urls', options: { urls: ['http://a:1'], model: 'm', timeoutSeconds: 9 } });
    assert.deepEqual(chooseBackend({ settings: embeddedSettings, workspaceSetsServer: false, workspaceTrusted: true }), { kind: 'embedded' });
});

test('an untrusted workspace may not name a server, in a .prompt file or its settings; the user\'s own server is used', () => {
    const prompt = chooseBackend({ prompt: { kind: 'openai-compatible', urls: ['http://evil:1'] }, promptName: 'x.prompt', settings: embeddedSettings, workspaceSetsServer: false, workspaceTrusted: false });
    assert.equal(prompt.kind, 'refused');
    assert.match(prompt.kind === 'refused' ? prompt.message : '', /^x\.prompt names the server http:\/\/evil:1 in promptscope\.backend, and this workspace is not trusted: nothing was sent\. Trust the workspace/);
    const settings = chooseBackend({ settings: serverSettings, workspaceSetsServer: true, workspaceTrusted: false });
    assert.equal(settings.kind, 'refused');
    assert.equal(chooseBackend({ settings: serverSettings, workspaceSetsServer: false, workspaceTrusted: false }).kind, 'server');
    assert.equal(chooseBackend({ prompt: { kind: 'embedded' }, settings: serverSettings, workspaceSetsServer: true, workspaceTrusted: false }).kind, 'embedded');
    assert.deepEqual(chooseBackend({ settings: undefined, problem: 'promptscope.backend: "x" is wrong', workspaceSetsServer: false, workspaceTrusted: true }),
        { kind: 'refused', message: 'promptscope.backend: "x" is wrong.' });
});

test('server failures are worded by class (also after crossing a process boundary), naming the setting that fixes them', () => {
    const revived = (error: Error) => reviveError(serializeError(error));
    const unreachable = describeServerFailure(revived(new ServerUnreachableError('http://a:1', 'ECONNREFUSED')));
    assert.match(unreachable.message, /^Promptscope: the server at http:\/\/a:1 is unreachable \(ECONNREFUSED\): start it, or correct promptscope\.server\.urls/);
    const model = describeServerFailure(new ServerModelError('http://a:1', 'llama', ['fixture']));
    assert.match(model.message, /wrong model name for http:\/\/a:1: it does not serve a model named "llama"; it serves "fixture"\. Set promptscope\.server\.model/);
    assert.match(describeServerFailure(new ServerHttpError('http://a:1', 429, 'busy', 5)).message,
        /answered HTTP 429 after 5 attempts \(busy\): the server is rate-limiting; lower promptscope\.server\.concurrency/);
    assert.match(describeServerFailure(new ServerHttpError('http://a:1', 401, undefined, 1)).message, /HTTP 401: check the API key \("Promptscope: Set Server API Key…"\)/);
    assert.match(describeServerFailure(new ServerTimeoutError('http://a:1', 7)).message, /sent nothing for 7 s \(timeout\).*raise promptscope\.server\.timeoutSeconds/);
});
