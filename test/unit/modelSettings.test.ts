import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
    classifyChange, defaultModelSettings, readLoraSetting, readModelSettings, readSamplingDefaults, toLoadModelOptions,
} from '../../src/vscode/modelSettings';

const reader = (values: Record<string, unknown>) => (key: string) => values[key];
const base = { baseDir: '/ws', workspaceFolder: '/ws', homeDir: '/home/me' };

test('valid model settings are read as typed values', () => {
    const { settings, problems } = readModelSettings(reader({
        gpu: 'vulkan', gpuLayers: 12, threads: 3, contextSize: 2048, modelsDirectory: ' ~/models ',
    }));
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { gpu: 'vulkan', gpuLayers: 12, threads: 3, contextSize: 2048, modelsDirectory: '~/models' });
    assert.equal(readModelSettings(reader({ gpuLayers: 'max' })).settings.gpuLayers, 'max');
    assert.equal(readModelSettings(reader({ gpuLayers: '20' })).settings.gpuLayers, 20);
    assert.deepEqual(readModelSettings(reader({})).settings, defaultModelSettings);
});

test('invalid model settings fall back to defaults and say why', () => {
    const { settings, problems } = readModelSettings(reader({
        gpu: 'rocm', gpuLayers: -1, threads: 1.5, contextSize: 'big', modelsDirectory: 5,
    }));
    assert.deepEqual(settings, defaultModelSettings);
    assert.equal(problems.length, 5);
    assert.match(problems[0]!, /promptscope\.gpu: "rocm" is not one of auto, cuda, metal, vulkan, off/);
    assert.match(problems[1]!, /promptscope\.gpuLayers: -1/);
    assert.match(problems[2]!, /promptscope\.threads: 1\.5 is not a whole number/);
});

test('automatic values are left to the runtime, paths become absolute', () => {
    assert.deepEqual(toLoadModelOptions('models/m.gguf', defaultModelSettings, [], base),
        { model: join('/ws', 'models/m.gguf'), gpu: 'auto', gpuLayers: 'auto' });
    const options = toLoadModelOptions('hf:o/r:Q4_K_M',
        { gpu: 'cuda', gpuLayers: 8, threads: 1, contextSize: 512, modelsDirectory: '~/gguf' },
        [{ path: '${workspaceFolder}/lora.gguf', scale: 0.5 }], base);
    assert.deepEqual(options, {
        model: 'hf:o/r:Q4_K_M', gpu: 'cuda', gpuLayers: 8, threads: 1, contextSize: 512,
        modelsDirectory: join('/home/me', 'gguf'), lora: [{ path: join('/ws', 'lora.gguf'), scale: 0.5 }],
    });
});

test('gpu off means no layers on the GPU whatever gpuLayers says', () => {
    assert.equal(toLoadModelOptions('/m.gguf', { ...defaultModelSettings, gpu: 'off', gpuLayers: 'max' }, [], base).gpuLayers, 0);
});

test('promptscope.lora accepts objects and plain paths, and reports bad entries', () => {
    const { adapters, problems } = readLoraSetting(['/a.gguf', { path: '/b.gguf', scale: 0.5 }, { scale: 1 }, { path: '/c.gguf', scale: 'x' }]);
    assert.deepEqual(adapters, [{ path: '/a.gguf' }, { path: '/b.gguf', scale: 0.5 }]);
    assert.deepEqual(problems, ['promptscope.lora[2]: missing "path"; ignoring the entry', 'promptscope.lora[3]: "scale" must be a number from -100 to 100 (1 = as trained, 0 = off; see maxLoraScale); ignoring the entry']);
    assert.match(readLoraSetting({ path: '/a' }).problems[0]!, /expected a list/);
    assert.deepEqual(readLoraSetting(undefined), { adapters: [], problems: [] });
});

test('a settings change is classified into reload and live groups', () => {
    const changed = new Set(['promptscope.threads', 'promptscope.sampling.temperature']);
    assert.deepEqual(classifyChange(section => changed.has(section)), { reload: ['threads'], live: ['sampling.temperature'] });
    assert.deepEqual(classifyChange(() => false), { reload: [], live: [] });
});

test('sampling defaults keep numbers only', () => {
    assert.deepEqual(readSamplingDefaults(reader({ 'sampling.temperature': 0, 'sampling.topK': 40, 'sampling.topP': 'x', 'sampling.maxTokens': 64 })),
        { temperature: 0, topK: 40, maxTokens: 64 });
});
