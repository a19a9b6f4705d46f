import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelInfo } from '../../src/shared/runtimeApi';
import { escapeMarkdown, modelTooltip, presentStatus } from '../../src/vscode/statusText';

const model: ModelInfo = {
    path: '/models/tiny.gguf', name: 'Tiny [evil](http://x)', architecture: 'llama', parameters: 94_100_000,
    fileSizeBytes: 188 * 1024 * 1024, trainContextLength: 8192, contextSize: 4096, quantization: 'MOSTLY_F16',
    vocabularySize: 32000, embeddingLength: 768, layers: 12, heads: 12, kvHeads: 4, chatTemplate: '{{ x }}',
    chatWrapper: 'ChatMLChatWrapper', chatTemplateUse: { wrapper: 'ChatMLChatWrapper', source: 'family-wrapper' },
    supportsInfill: false, backend: 'cpu', gpuLayers: 0, threads: 1, lora: [],
};

test('no model', () => {
    const status = presentStatus({ state: 'stopped' });
    assert.equal(status.text, '$(hubot) No model');
    assert.ok(!status.warning);
});

test('loading shows a spinner and the name', () => {
    assert.equal(presentStatus({ state: 'starting', loading: 'tiny.gguf' }).text, '$(loading~spin) Loading tiny.gguf…');
    assert.equal(presentStatus({ state: 'loading', model }).text, '$(loading~spin) Loading Tiny [evil](http://x)…');
});

test('a loaded model shows name, backend and the last speed', () => {
    assert.equal(presentStatus({ state: 'ready', model }).text, '$(hubot) Tiny [evil](http://x) · cpu');
    assert.equal(presentStatus({ state: 'ready', model, lastTokensPerSecond: 42.42 }).text, '$(hubot) Tiny [evil](http://x) · cpu · 42.4 tok/s');
    assert.match(presentStatus({ state: 'busy', model }).text, /^\$\(loading~spin\)/);
    const long = presentStatus({ state: 'ready', model: { ...model, name: 'x'.repeat(60) } }).text;
    assert.ok(long.includes('x'.repeat(27) + '…'));
});

test('a dead runtime is a warning until it runs again', () => {
    const status = presentStatus({ state: 'stopped', model, stoppedReason: 'killed by SIGKILL' });
    assert.ok(status.warning);
    assert.match(status.text, /runtime stopped/);
    assert.match(status.tooltip, /killed by SIGKILL/);
    assert.ok(!presentStatus({ state: 'ready', model, stoppedReason: 'old' }).warning);
});

test('the tooltip lists the metadata and cannot be turned into links', () => {
    const tooltip = modelTooltip(model, 12.5);
    for (const expected of ['llama', '94\\.1M', 'MOSTLY\\_F16', '188 MiB', '4096 tokens \\(trained on 8192\\)', 'ChatMLChatWrapper, node\\-llama\\-cpp\'s wrapper for the model\'s template', 'CPU', '| Threads | 1 |', '12\\.5 tok/s']) {
        assert.ok(tooltip.includes(expected), `tooltip lacks ${expected}:\n${tooltip}`);
    }
    assert.ok(!tooltip.includes('](http'));
    const guessed = { wrapper: 'Llama2ChatWrapper', source: 'fallback', warning: { code: 'no-template', template: 'tokenizer.chat_template', reason: 'none' } } as const;
    // The Markdown escapes taken out, to compare the words.
    const plain = (markdown: string) => markdown.replace(/\\(.)/g, '$1');
    assert.ok(plain(modelTooltip({ ...model, chatTemplate: undefined, chatWrapper: 'Llama2ChatWrapper', chatTemplateUse: guessed }))
        .includes("| Chat template | the model has no tokenizer.chat_template: chat prompts use Llama2ChatWrapper's format, a guess |"));
    const unusable = { wrapper: 'Llama2ChatWrapper', source: 'fallback', warning: { code: 'template-unusable', template: 'tokenizer.chat_template', firstLine: '{% do x %}', reason: 'Unknown statement type: do' } } as const;
    assert.ok(plain(modelTooltip({ ...model, chatTemplateUse: unusable }))
        .includes(`the model's tokenizer.chat_template ("{% do x %}") cannot be used: Unknown statement type: do. Chat prompts use Llama2ChatWrapper's format instead`));
    assert.match(modelTooltip({ ...model, backend: 'cuda', gpuLayers: 33 }), /cuda · 33 GPU layers/);
    assert.match(modelTooltip({ ...model, lora: [{ path: '/a/style.gguf', scale: 0.5 }] }), /style\\\.gguf × 0\\\.5/);
    assert.equal(escapeMarkdown('a\nb*c'), 'a b\\*c');
});
