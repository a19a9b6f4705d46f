// The flag helpers the commands share (src/cli/*Flags.ts, promptTarget, optionTables), in-process: no model needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { modelChoice, modelOptions } from '../../src/cli/modelFlags';
import { booleanOptions, stringOptions } from '../../src/cli/optionTables';
import { sourceLora, sourceSampling } from '../../src/cli/loadPromptSource';
import { loadPromptTarget, promptTarget } from '../../src/cli/promptTarget';
import { allSamplingFlags, samplingFlags, samplingOptions, unseededSamplingFlags } from '../../src/cli/samplingFlags';
import { historyFlag, strategyOptions, weightingFlag } from '../../src/cli/strategy/parseStrategyFlags';
import { UsageError } from '../../src/cli/UsageError';

describe('option tables', () => {
    test('stringOptions and booleanOptions declare each name with its type', () => {
        assert.deepEqual(stringOptions('a', 'b-c'), { a: { type: 'string' }, 'b-c': { type: 'string' } });
        assert.deepEqual(booleanOptions('raw'), { raw: { type: 'boolean' } });
    });

    test('the shared tables declare the flags their parsers read', () => {
        assert.deepEqual(Object.keys(samplingOptions(allSamplingFlags)), ['seed', 'max-tokens', 'temperature', 'top-k', 'top-p', 'min-p']);
        assert.deepEqual(modelOptions.lora, { type: 'string', multiple: true });
        assert.deepEqual(Object.keys(modelOptions), ['model', 'threads', 'gpu', 'lora']);
        assert.deepEqual(strategyOptions.weighted, { type: 'boolean' });
        assert.deepEqual(Object.keys(strategyOptions).sort(), ['out', 'samples', 'strategy', 'variants', 'weighted']);
    });
});

describe('samplingFlags', () => {
    test('maps flags onto SamplingOptions fields, absent flags left out, in the order given', () => {
        const values = { 'min-p': '0.1', seed: '7', temperature: '0', 'top-k': '5' };
        const sampling = samplingFlags(values, allSamplingFlags);
        assert.deepEqual(sampling, { seed: 7, temperature: 0, topK: 5, minP: 0.1 });
        // The run history writes this object as is: seed first, as `run` always wrote it.
        assert.deepEqual(Object.keys(sampling), ['seed', 'temperature', 'topK', 'minP']);
    });

    test('reads only the flags asked for', () => {
        assert.deepEqual(samplingFlags({ seed: '3', 'max-tokens': '8' }, unseededSamplingFlags), { maxTokens: 8 });
        assert.deepEqual(samplingFlags({ seed: '3', 'top-k': '200' }, ['seed', 'temperature']), { seed: 3 });
    });

    test('rejects a malformed value as a usage error naming the flag, the first bad flag first', () => {
        assert.throws(() => samplingFlags({ seed: '1.5', temperature: 'hot' }, allSamplingFlags),
            (error: Error) => error instanceof UsageError && error.message === '--seed expects an integer, got 1.5');
        assert.throws(() => samplingFlags({ temperature: 'hot' }, allSamplingFlags),
            (error: Error) => error instanceof UsageError && error.message === '--temperature expects a number, got "hot"');
    });

    test('rejects impossible values before a model is loaded', () => {
        assert.throws(() => samplingFlags({ 'top-p': '2' }, allSamplingFlags), /topP/);
    });
});

describe('modelChoice', () => {
    test('the prompt\'s adapters come before --lora\'s; a numeric suffix is the scale', () => {
        const choice = modelChoice({ model: 'm.gguf', lora: ['b.gguf:0.5', 'C:\\x.gguf'] }, [{ path: '/p/a.gguf', scale: 2 }]);
        assert.deepEqual(choice.lora, [{ path: '/p/a.gguf', scale: 2 }, { path: 'b.gguf', scale: 0.5 }, { path: 'C:\\x.gguf' }]);
        assert.equal(choice.model, 'm.gguf');
    });

    test('--threads and --context-size are integers; absent ones stay undefined', () => {
        assert.deepEqual(modelChoice({ threads: '4', 'context-size': '512', gpu: 'off' }, []),
            { model: undefined, threads: 4, gpu: 'off', contextSize: 512, lora: [] });
        assert.deepEqual(modelChoice({}, []), { model: undefined, threads: undefined, gpu: undefined, contextSize: undefined, lora: [] });
        assert.throws(() => modelChoice({ threads: 'x' }, []), /--threads expects a number/);
    });
});

describe('promptTarget', () => {
    test('one file, or --text', () => {
        assert.deepEqual(promptTarget(['a.prompt'], {}), { file: 'a.prompt' });
        assert.deepEqual(promptTarget([], { text: 'hi' }), { text: 'hi' });
    });

    test('usage errors in the commands\' words', () => {
        assert.throws(() => promptTarget(['a', 'b'], {}), { name: 'UsageError', message: 'one prompt file at a time (got a, b)' });
        assert.throws(() => promptTarget([], {}), { name: 'UsageError', message: 'give either a prompt file or --text "…"' });
        assert.throws(() => promptTarget(['a'], { text: 'hi' }), { name: 'UsageError', message: 'give either a prompt file or --text "…"' });
    });

    test('--text loads as raw text and ignores --input', async () => {
        const source = await loadPromptTarget({ text: 'hi' }, { input: 'not json' });
        assert.deepEqual(source, { kind: 'text', text: 'hi' });
        assert.deepEqual(sourceLora(source), []);
        const flags = { seed: 1 };
        assert.equal(sourceSampling(source, flags), flags);
    });

    test('a file is loaded with --input', async () => {
        await assert.rejects(loadPromptTarget({ file: 'x.prompt' }, { input: '[1]' }), { name: 'UsageError', message: /--input must be a JSON object/ });
    });

    test('a chat source\'s own sampling and adapters sit under the flags', () => {
        const source = { kind: 'chat' as const, messages: [], sampling: { temperature: 0.2, topK: 3 }, lora: [{ path: '/a.gguf' }] };
        assert.deepEqual(sourceSampling(source, { temperature: 0 }), { temperature: 0, topK: 3 });
        assert.deepEqual(sourceLora(source), [{ path: '/a.gguf' }]);
    });
});

describe('strategy flags', () => {
    test('--weighted is probability weighting, for self-consistency only', () => {
        assert.equal(weightingFlag({}, 'cot'), undefined);
        assert.equal(weightingFlag({ weighted: true }, 'self-consistency'), 'probability');
        assert.throws(() => weightingFlag({ weighted: true }, 'ensemble'), { name: 'UsageError', message: '--weighted applies to --strategy self-consistency' });
    });

    test('--out names the history file, else the day\'s file under .promptscope/runs', () => {
        assert.equal(historyFlag({ out: 'h.jsonl' }).path, resolve('h.jsonl'));
        assert.match(historyFlag({}).path, new RegExp(`^${join(process.cwd(), '.promptscope', 'runs').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
    });
});
