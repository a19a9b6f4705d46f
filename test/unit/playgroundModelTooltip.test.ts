import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelTooltip } from '../../src/webview/playground/modelTooltip';

test('model hover: architecture, size, quantization, context length, chat template', () => {
    const text = modelTooltip({
        name: 'tiny', backend: 'cpu', quantization: 'Q4_K_M',
        details: { path: '/m/tiny.gguf', architecture: 'llama', fileSizeBytes: 3 * 1024 * 1024, parameters: 1_200_000, trainContextLength: 2048, contextSize: 1024, chatTemplate: true },
    });
    assert.match(text, /^tiny\n/);
    assert.match(text, /Architecture: llama/);
    assert.match(text, /Size: 3(\.0+)? MiB \(1\.20?M parameters\)/);
    assert.match(text, /Quantization: Q4_K_M/);
    assert.match(text, /Context length: 2048 trained, 1024 in use/);
    assert.match(text, /Chat template: present/);
    assert.match(modelTooltip({ name: 'x', backend: 'cpu', quantization: 'F16', details: { path: '/x', architecture: 'gpt2', fileSizeBytes: 10, parameters: 5, trainContextLength: 1, contextSize: 1, chatTemplate: false } }), /Chat template: none/);
    assert.match(modelTooltip({ name: 'x', backend: 'cpu', quantization: 'F16' }), /Quantization: F16/);
});
