// The flag helpers the commands share (src/cli/*Flags.ts, promptTarget, optionTables), in-process: no model needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { modelChoice, modelOptions } from '../../src/cli/modelFlags';
import { booleanOptions, stringOptions } from '../../src/cli/optionTables';
import { preparePromptTarget, promptTarget, requestLora, sourceSampling } from '../../src/cli/promptTarget';
import { allSamplingFlags, samplingFlags, samplingOptions, unseededSamplingFlags } from '../../src/cli/samplingFlags';
import { historyFlag, strategyOptions, weightingFlag } from '../../src/cli/strategy/parseStrategyFlags';
import { UsageError } from '../../src/cli/UsageError';
import { constraintFlags, constraintOptions, resolveConstraints } from '../../src/cli/constraintFlags';
import { GrammarFileError } from '../../src/cli/GrammarFileError';
import { logitBiasFlag, resolveLogitBias } from '../../src/cli/logitBiasFlag';
import { alternativesFlag } from '../../src/cli/commands/probs';

describe('option tables', () => {
    test('stringOptions and booleanOptions declare each name with its type', () => {
        assert.deepEqual(stringOptions('a', 'b-c'), { a: { type: 'string' }, 'b-c': { type: 'string' } });
        assert.deepEqual(booleanOptions('raw'), { raw: { type: 'boolean' } });
    });

    test('the shared tables declare the flags their parsers read', () => {
        assert.deepEqual(Object.keys(samplingOptions(allSamplingFlags)), ['seed', 'max-tokens', 'temperature', 'top-k', 'top-p', 'min-p', 'repeat-penalty']);
        assert.deepEqual(modelOptions.lora, { type: 'string', multiple: true });
        assert.deepEqual(Object.keys(modelOptions), ['model', 'threads', 'gpu', 'runtime-timeout', 'lora']);
        assert.deepEqual(strategyOptions.weighted, { type: 'boolean' });
        assert.deepEqual(Object.keys(strategyOptions).sort(), ['no-history', 'out', 'samples', 'strategy', 'variants', 'weighted']);
        assert.deepEqual(strategyOptions['no-history'], { type: 'boolean' });
        assert.deepEqual(constraintOptions, { grammar: { type: 'string' }, 'logit-bias': { type: 'string', multiple: true } });
    });
});

describe('samplingFlags', () => {
    test('maps flags onto SamplingOptions fields, absent flags left out, in the order given', () => {
        const values = { 'min-p': '0.1', seed: '7', temperature: '0', 'top-k': '5', 'repeat-penalty': '1.3' };
        const sampling = samplingFlags(values, allSamplingFlags);
        assert.deepEqual(sampling, { seed: 7, temperature: 0, topK: 5, minP: 0.1, repeatPenalty: 1.3 });
        // The run history writes this object as is: seed first, as `run` always wrote it.
        assert.deepEqual(Object.keys(sampling), ['seed', 'temperature', 'topK', 'minP', 'repeatPenalty']);
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
        assert.throws(() => samplingFlags({ 'repeat-penalty': '0' }, allSamplingFlags), { name: 'SamplingOptionsError', message: /repeatPenalty = 0/ });
    });
});

describe('modelChoice', () => {
    test('the model is loaded with --lora\'s adapters only (a prompt\'s go with each request); a numeric suffix is the scale', () => {
        const choice = modelChoice({ model: 'm.gguf', lora: ['b.gguf:0.5', 'C:\\x.gguf'] });
        assert.deepEqual(choice.lora, [{ path: 'b.gguf', scale: 0.5 }, { path: 'C:\\x.gguf' }]);
        assert.equal(choice.model, 'm.gguf');
    });

    test('--threads and --context-size are integers, --runtime-timeout a number of seconds; absent ones stay undefined', () => {
        assert.deepEqual(modelChoice({ threads: '4', 'context-size': '512', gpu: 'off', 'runtime-timeout': '2.5' }),
            { model: undefined, threads: 4, gpu: 'off', contextSize: 512, lora: [], runtimeTimeoutSeconds: 2.5 });
        assert.deepEqual(modelChoice({}), { model: undefined, threads: undefined, gpu: undefined, contextSize: undefined, lora: [], runtimeTimeoutSeconds: undefined });
        assert.throws(() => modelChoice({ threads: 'x' }), /--threads expects a number/);
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
        const source = await preparePromptTarget({ text: 'hi' }, { input: 'not json' });
        assert.equal(source.kind, 'text');
        assert.equal(source.text, 'hi');
        assert.deepEqual(source.messages, [{ role: 'user', text: 'hi' }]);
        assert.equal(requestLora(source, { lora: ['b.gguf'] }), undefined);
        assert.deepEqual(sourceSampling(source, { seed: 1 }), { seed: 1 });
    });

    test('a file is loaded with --input', async () => {
        await assert.rejects(preparePromptTarget({ file: 'x.prompt' }, { input: '[1]' }), { name: 'UsageError', message: /--input must be a JSON object/ });
    });

    test('a chat source\'s own sampling and adapters sit under the flags', async () => {
        const source = { ...await preparePromptTarget({ text: 'hi' }, {}), sampling: { temperature: 0.2, topK: 3 }, lora: [{ path: '/a.gguf' }] };
        assert.deepEqual(sourceSampling(source, { temperature: 0 }), { temperature: 0, topK: 3 });
        // The prompt's adapters go with each request, then --lora's (the model itself is loaded with --lora's).
        assert.deepEqual(requestLora(source, { lora: ['b.gguf:0.5'] }), [{ path: '/a.gguf' }, { path: 'b.gguf', scale: 0.5 }]);
    });
});

describe('strategy flags', () => {
    test('--weighted is probability weighting, for self-consistency and tree-of-thought only', () => {
        assert.equal(weightingFlag({}, 'cot'), undefined);
        assert.equal(weightingFlag({ weighted: true }, 'self-consistency'), 'probability');
        assert.equal(weightingFlag({ weighted: true }, 'tree-of-thought'), 'probability');
        assert.throws(() => weightingFlag({ weighted: true }, 'ensemble'), { name: 'UsageError', message: '--weighted applies to --strategy self-consistency and tree-of-thought' });
        assert.throws(() => weightingFlag({ weighted: true }, 'self-ask'), { name: 'UsageError' });
    });

    test('--out names the history file, else the day\'s file under .promptscope/runs', () => {
        assert.equal(historyFlag({ out: 'h.jsonl' })?.path, resolve('h.jsonl'));
        assert.match(historyFlag({})?.path ?? '', new RegExp(`^${join(process.cwd(), '.promptscope', 'runs').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
    });
});

describe('--no-history', () => {
    test('skips the run history; with --out it is a contradiction', () => {
        assert.equal(historyFlag({ 'no-history': true }), undefined);
        assert.throws(() => historyFlag({ 'no-history': true, out: 'h.jsonl' }),
            { name: 'UsageError', message: '--out names the run history file and --no-history skips it: give one of the two' });
    });
});

describe('--logit-bias', () => {
    test('words and id:N entries, comma-separated and repeatable, -inf bans', () => {
        assert.deepEqual(logitBiasFlag({ 'logit-bias': ['word=+5, id:123=-inf', 'x=-2.5'] }), [
            { entry: 'word=+5', target: { word: 'word' }, bias: 5 },
            { entry: 'id:123=-inf', target: { id: 123 }, bias: 'ban' },
            { entry: 'x=-2.5', target: { word: 'x' }, bias: -2.5 },
        ]);
        assert.equal(logitBiasFlag({}), undefined);
    });

    test('a malformed entry is named, with how to write one', () => {
        const bad = (text: string, why: RegExp) => assert.throws(() => logitBiasFlag({ 'logit-bias': text }),
            (error: Error) => error instanceof UsageError && why.test(error.message) && /write WORD=BIAS or id:N=BIAS/.test(error.message));
        bad('cat', /^--logit-bias entry "cat" has no =BIAS/);
        bad('cat=big', /^--logit-bias entry "cat=big" has a bias "big" that is not a number or -inf/);
        bad('cat=+inf', /"cat=\+inf" has a bias "\+inf"/);
        bad('=5', /^--logit-bias entry "=5" names no word or token id/);
        bad('id:-1=5', /token id "-1" that is not an integer ≥ 0/);
        bad(' , ', /^--logit-bias is empty/);
    });

    test('merged by the playground\'s rule: a ban wins over a bias on a shared token, a bias of 0 adds nothing', async () => {
        const entries = logitBiasFlag({ 'logit-bias': 'id:7=+3,id:7=-inf,id:8=0,id:9=-1' })!;
        assert.deepEqual(await resolveLogitBias(entries, async () => assert.fail('no words to tokenize')), { 7: 'ban', 9: -1 });
        assert.equal(await resolveLogitBias(logitBiasFlag({ 'logit-bias': 'id:8=0' })!, async () => []), undefined);
    });
});

describe('--grammar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-grammar-flag-'));

    test('reads and checks the file; absent, no grammar', async () => {
        const file = join(dir, 'ok.gbnf');
        writeFileSync(file, 'root ::= "a" | "b"\n');
        assert.deepEqual(await constraintFlags({ grammar: file }), { grammar: 'root ::= "a" | "b"\n' });
        assert.deepEqual(await constraintFlags({}), {});
        assert.deepEqual(await resolveConstraints({ grammar: 'root ::= "a"' }, { tokenize: async () => assert.fail('nothing to tokenize') }), { grammar: 'root ::= "a"' });
    });

    test('a syntax error is a GrammarFileError at its file, line and column', async () => {
        const file = join(dir, 'bad.gbnf');
        writeFileSync(file, 'root ::= item\nitem ::= "x" |\n  )\n');
        await assert.rejects(constraintFlags({ grammar: file }), (error: Error) => error instanceof GrammarFileError
            && error.file === file && error.line === 3 && error.column === 3 && error.message.startsWith(`--grammar ${file}:3:3: `));
        await assert.rejects(constraintFlags({ grammar: join(dir, 'missing.gbnf') }), { name: 'UsageError', message: `--grammar ${join(dir, 'missing.gbnf')}: no such file` });
    });
});

describe('probs --alternatives', () => {
    test('defaults to 10; 1 to 100', () => {
        assert.equal(alternativesFlag({}), 10);
        assert.equal(alternativesFlag({ alternatives: '3' }), 3);
        assert.throws(() => alternativesFlag({ alternatives: '101' }), { name: 'UsageError', message: '--alternatives expects an integer from 1 to 100, got 101' });
    });
});
