import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describeModelRef, hfUriProblem, isHfUri, parseHfUri, resolveModelRef } from '../../src/core/model/modelRef';
import { ModelRefError } from '../../src/core/model/errors/ModelRefError';

test('hf: URIs in the forms node-llama-cpp resolves', () => {
    assert.deepEqual(parseHfUri('hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M'),
        { owner: 'bartowski', repo: 'Qwen2.5-0.5B-Instruct-GGUF', quant: 'Q4_K_M', file: undefined, branch: undefined });
    assert.deepEqual(parseHfUri('hf:owner/repo'), { owner: 'owner', repo: 'repo', quant: undefined, file: undefined, branch: undefined });
    assert.deepEqual(parseHfUri('hf:owner/repo/sub/model.Q8_0.gguf#dev'),
        { owner: 'owner', repo: 'repo', quant: undefined, file: 'sub/model.Q8_0.gguf', branch: 'dev' });
    assert.equal(parseHfUri('hf:owner'), undefined);
    assert.equal(parseHfUri('hf:owner/repo/readme.md'), undefined);
    assert.equal(parseHfUri('/models/a.gguf'), undefined);
    assert.ok(isHfUri('huggingface:owner/repo'));
    assert.ok(!isHfUri('/home/hf:x.gguf'));
});

test('hfUriProblem explains what is wrong, and accepts good URIs', () => {
    assert.equal(hfUriProblem('hf:owner/repo:Q4_K_M'), undefined);
    assert.equal(hfUriProblem('  hf:owner/repo  '), undefined);
    assert.match(hfUriProblem('')!, /Enter a URI/);
    assert.match(hfUriProblem('owner/repo')!, /starts with hf:/);
    assert.match(hfUriProblem('hf:just-a-name')!, /Expected hf:owner\/repo/);
});

test('describeModelRef labels files by name and hf models by repo', () => {
    assert.deepEqual(describeModelRef('/models/tiny.gguf'), { label: 'tiny.gguf', detail: '/models' });
    assert.deepEqual(describeModelRef('hf:owner/repo:Q8_0'), { label: 'repo:Q8_0', detail: 'Hugging Face · owner/repo' });
    assert.equal(describeModelRef('hf:owner/repo/dir/file.gguf').label, 'file.gguf');
});

test('resolveModelRef makes paths absolute and leaves hf: URIs alone', () => {
    const base = { baseDir: '/ws', workspaceFolder: '/ws', homeDir: '/home/me' };
    assert.equal(resolveModelRef('hf:owner/repo:Q4_K_M', base), 'hf:owner/repo:Q4_K_M');
    assert.equal(resolveModelRef('/abs/m.gguf', base), '/abs/m.gguf');
    assert.equal(resolveModelRef('models/m.gguf', base), join('/ws', 'models/m.gguf'));
    assert.equal(resolveModelRef('${workspaceFolder}/m.gguf', base), join('/ws', 'm.gguf'));
    assert.equal(resolveModelRef('~/models/m.gguf', base), join('/home/me', 'models/m.gguf'));
    assert.equal(resolveModelRef('  /abs/m.gguf  ', base), '/abs/m.gguf');
});

test('resolveModelRef names the setting and the fix when a path cannot be resolved', () => {
    assert.throws(() => resolveModelRef('models/m.gguf', {}), (error: unknown) => {
        assert.ok(error instanceof ModelRefError);
        assert.equal(error.setting, 'promptscope.model');
        assert.match(error.message, /promptscope\.model "models\/m\.gguf".*use an absolute path/);
        return true;
    });
    assert.throws(() => resolveModelRef('${workspaceFolder}/a.gguf', { homeDir: '/h' }, 'promptscope.lora'),
        /promptscope\.lora .*no folder is open/);
});
