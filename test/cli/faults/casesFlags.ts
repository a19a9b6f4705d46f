// Mistakes on the command line and in the environment: each names the flag (or variable), the allowed values and
// the fix, before any model loads where the check does not need the model.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { maxLoraScale, maxProbabilityAlternatives, maxSamplePaths, maxSeed, maxThreads } from '../../../src/shared/limits';
import type { FaultCase, FaultContext } from '../../support/faultHarness';
import { missingModel, noModelMessage, printedJson, probsFlags, questionPrompt, quick } from './caseHelpers';

const textRun = (ctx: FaultContext, ...more: string[]) => ['run', '--text', 'hi', ...missingModel(ctx), ...more];

/** A flag whose value is refused before the model loads: the flag named, the model never mentioned. */
function refusedFlag(flags: string[], named: RegExp | RegExp[], code: number | number[] = [1, 2]): FaultCase {
    return {
        name: `${flags.join(' ')}: refused before the model loads, naming the flag`,
        args: ctx => textRun(ctx, ...flags),
        expect: { code, stderr: named, not: [noModelMessage, /ambiguous/] },
    };
}

const loraScaleBound = new RegExp(`${maxLoraScale}`);

export const flagCases: FaultCase[] = [
    refusedFlag(['--temperature', '-1'], [/temperature/, /≥ 0|>= 0/]),
    refusedFlag(['--temperature=-1'], [/temperature/, /≥ 0|>= 0/]),
    refusedFlag(['--temperature', 'warm'], /--temperature/, 2),
    refusedFlag(['--threads', '5000'], [/--threads/, new RegExp(`${maxThreads}`)], 2),
    refusedFlag(['--threads', '0'], [/--threads/, /\b1\b/], 2),
    refusedFlag(['--threads', '-2'], /--threads/, 2),
    {
        name: '--lora file:abc: the scale named as the problem, not taken as part of the path',
        args: ctx => textRun(ctx, '--lora', `${ctx.lora}:abc`),
        expect: { code: 2, stderr: [/--lora/, /"abc"/, /scale/, loraScaleBound], not: [noModelMessage, /does not exist/] },
    },
    {
        name: '--lora file:1e400 (Infinity after parsing): refused with the bound',
        args: ctx => textRun(ctx, '--lora', `${ctx.lora}:1e400`),
        expect: { code: 2, stderr: [/--lora/, /1e400/, loraScaleBound], not: [noModelMessage, /does not exist/] },
    },
    {
        name: '--lora file:1e39: refused with the bound (it would make every probability NaN)',
        args: ctx => textRun(ctx, '--lora', `${ctx.lora}:1e39`),
        expect: { code: 2, stderr: [/--lora/, /1e39/, loraScaleBound], not: noModelMessage },
    },
    {
        name: '--lora file:NaN: refused',
        args: ctx => textRun(ctx, '--lora', `${ctx.lora}:NaN`),
        expect: { code: 2, stderr: [/--lora/, /NaN/, loraScaleBound], not: noModelMessage },
    },
    {
        name: '--lora file:-Infinity: refused',
        args: ctx => textRun(ctx, '--lora', `${ctx.lora}:-Infinity`),
        expect: { code: 2, stderr: [/--lora/, /Infinity/, loraScaleBound], not: noModelMessage },
    },
    {
        name: '--lora for a file that does not exist: names it',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--lora', 'gone-lora.gguf', '--no-history'],
        expect: { code: [1, 2], stderr: [/gone-lora\.gguf/, /does not exist|not found|no such/i] },
    },
    refusedFlag(['--max-tokens', '-5'], /max-?tokens|maxTokens/i),
    refusedFlag(['--max-tokens', 'abc'], [/--max-tokens/, /"abc"/], 2),
    refusedFlag(['--max-tokens', '1.5'], /max-?tokens|maxTokens/i),
    {
        name: '--max-tokens 0: generates nothing, says so in the result (no error, no hang)',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--max-tokens', '0', '--json', '--no-history'],
        expect: { code: 0, stdout: /"generatedTokens": 0/ },
    },
    refusedFlag(['--seed', '99999999999'], [/seed/, new RegExp(`${maxSeed}`)]),
    refusedFlag(['--seed', '-1'], /seed/),
    refusedFlag(['--seed', '1.5'], /seed/),
    refusedFlag(['--top-p', '2'], [/top-?p/i, /\b1\b/]),
    refusedFlag(['--min-p', '-0.1'], /min-?p/i),
    refusedFlag(['--top-k', '-3'], /top-?k/i),
    refusedFlag(['--repeat-penalty', 'abc'], /--repeat-penalty/, 2),
    refusedFlag(['--logit-bias', 'cats='], [/--logit-bias/, /cats=/], 2),
    refusedFlag(['--logit-bias', 'id:abc=1'], [/--logit-bias/, /id:abc/], 2),
    refusedFlag(['--logit-bias', '=5'], /--logit-bias/, 2),
    refusedFlag(['--context-size', '0'], [/context/i, /16/]),
    refusedFlag(['--gpu', 'banana'], [/gpu/, /auto/]),
    refusedFlag(['--strategy', 'bogus'], [/strategy/, /self-consistency/]),
    refusedFlag(['--strategy', 'self-consistency', '--samples', '0'], /--samples/, 2),
    {
        name: `--samples 1000 (over ${maxSamplePaths} paths): refused with the flag and the range, before the model loads`,
        args: ctx => textRun(ctx, '--strategy', 'self-consistency', '--samples', '1000', '--no-history'),
        expect: { code: 2, stderr: [/--samples/, new RegExp(`from 1 to ${maxSamplePaths}`), /1000/], not: noModelMessage },
    },
    {
        name: `eval --samples 1000: refused with the flag and the limit, before the model loads`,
        setup: ctx => { questionPrompt(ctx); ctx.file('rows.jsonl', '{"q": "1 + 1", "expected": "2"}\n'); },
        args: ctx => ['eval', 'q.prompt', '--dataset', 'rows.jsonl', '--strategy', 'self-consistency', '--samples', '1000', ...missingModel(ctx)],
        expect: { code: [1, 2], stderr: [/--samples/, new RegExp(`${maxSamplePaths}`)], not: noModelMessage },
    },
    {
        name: 'an unknown flag (--max-tokenz): a usage error that suggests --max-tokens',
        args: ctx => textRun(ctx, '--max-tokenz', '3'),
        expect: { code: 2, stderr: [/--max-tokenz/, /did you mean --max-tokens\?/], not: noModelMessage },
    },
    {
        name: 'an unknown flag with its value attached (--temprature=0): suggests --temperature',
        args: ctx => textRun(ctx, '--temprature=0'),
        expect: { code: 2, stderr: [/--temprature/, /did you mean --temperature\?/], not: noModelMessage },
    },
    {
        name: 'an unknown flag nothing is close to (--frobnicate): named, no wild guess',
        args: ctx => textRun(ctx, '--frobnicate'),
        expect: { code: 2, stderr: /--frobnicate/, not: [noModelMessage, /did you mean/] },
    },
    {
        name: 'a flag another command has (probs --max-tokens): named as unknown to probs, before the model loads',
        args: ctx => ['probs', '--text', 'hi', ...missingModel(ctx), '--max-tokens', '3'],
        expect: { code: 2, stderr: [/--max-tokens/, /promptscope probs --help/], not: noModelMessage },
    },
    {
        name: 'a flag\'s value that looks like an unknown flag (--text --max-tokenz): not taken for a flag of its own',
        args: ctx => ['run', '--text=--max-tokenz', ...missingModel(ctx)],
        expect: { code: 1, stderr: noModelMessage, not: /Unknown option/ },
    },
    {
        name: 'a flag without its value (--seed at the end): a usage error naming it',
        args: ctx => textRun(ctx, '--seed'),
        expect: { code: 2, stderr: /--seed/, not: noModelMessage },
    },
    {
        name: 'a duplicated flag (--seed 1 --seed 2): refused, or the last one used',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--seed', '1', '--seed', '2', '--json', '--no-history'],
        expect: { code: [0, 2] },
        check: result => {
            if (result.code === 2) assert.match(result.stderr, /--seed/);
            else assert.equal(printedJson<{ seed: number }>(result.stdout).seed, 2);
        },
    },
    {
        name: 'an unknown command: names it and lists the commands',
        args: () => ['runn', '--text', 'hi'],
        expect: { code: 2, stderr: [/runn/, /run, /] },
    },
    {
        name: 'a prompt file and --text together: a usage error',
        setup: ctx => { ctx.file('p.prompt', 'hi\n'); },
        args: ctx => ['run', 'p.prompt', '--text', 'hi', ...missingModel(ctx)],
        expect: { code: 2, stderr: /--text/, not: noModelMessage },
    },
    {
        name: '--input with --text (no .prompt file): a usage error naming --input',
        args: ctx => textRun(ctx, '--input', '{"a": 1}'),
        expect: { code: 2, stderr: /--input/, not: noModelMessage },
    },
    {
        name: '--raw on a .prompt file: a usage error naming --raw',
        setup: ctx => { ctx.file('p.prompt', 'hi\n'); },
        args: ctx => ['run', 'p.prompt', '--raw', ...missingModel(ctx)],
        expect: { code: 2, stderr: /--raw/ },
    },
    {
        name: 'run --json with no model: the error on stderr, nothing on stdout',
        args: () => ['run', '--text', 'hi', '--json'],
        expect: { code: 2, stderr: /--model/, stdout: /^$/ },
    },
    {
        name: 'run --json with a model that does not exist: the error on stderr, nothing on stdout',
        args: ctx => textRun(ctx, '--json'),
        expect: { code: 1, stderr: noModelMessage, stdout: /^$/ },
    },
    {
        name: `probs --alternatives 1000: refused with the limit (${maxProbabilityAlternatives})`,
        args: ctx => ['probs', '--text', 'hi', ...missingModel(ctx), '--alternatives', '1000'],
        expect: { code: [1, 2], stderr: [/alternatives/, new RegExp(`${maxProbabilityAlternatives}`)], not: noModelMessage },
    },
    {
        name: 'probs --generate 5000: the error blames --generate, not the prompt',
        args: ctx => ['probs', '--text', 'hi', ...probsFlags(ctx), '--generate', '5000'],
        expect: { code: [1, 2], stderr: /--generate/, not: /prompt is \d+ tokens/ },
    },
    {
        name: 'attention on a prompt over 512 tokens: the limit, and to shorten it',
        args: ctx => ['attention', '--text', 'word '.repeat(700), ...probsFlags(ctx)],
        expect: { code: 1, stderr: [/512/, /shorten/] },
    },
    {
        name: '--context-size larger than the model was trained for: an error or a clamp within seconds, never a hang',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--context-size', '10000000', '--no-history'],
        timeoutMs: 30_000,
        expect: { code: [0, 1, 2], output: /context|\S/, withinMs: 20_000 },
        check: result => {
            if (result.code !== 0) assert.match(result.stderr, /context/i);
        },
    },
    {
        name: 'PROMPTSCOPE_RUNTIME_TIMEOUT=garbage: a usage error naming the variable',
        args: ctx => textRun(ctx),
        env: () => ({ PROMPTSCOPE_RUNTIME_TIMEOUT: 'garbage' }),
        expect: { code: 2, stderr: [/PROMPTSCOPE_RUNTIME_TIMEOUT/, /garbage/] },
    },
    {
        name: 'PROMPTSCOPE_DECODE_LOOP=garbage: a usage error naming the variable and the values it takes, before the model loads',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--no-history'],
        env: () => ({ PROMPTSCOPE_DECODE_LOOP: 'garbage' }),
        expect: { code: 2, stderr: [/PROMPTSCOPE_DECODE_LOOP="garbage"/, /node-llama-cpp/], withinMs: 5_000 },
    },
    {
        name: 'PROMPTSCOPE_LOGITS_SOURCE=garbage (probs): a usage error naming the variable and the values it takes',
        args: ctx => ['probs', '--text', 'hi', ...probsFlags(ctx)],
        env: () => ({ PROMPTSCOPE_LOGITS_SOURCE: 'garbage' }),
        expect: { code: 2, stderr: [/PROMPTSCOPE_LOGITS_SOURCE="garbage"/, /native or node-llama-cpp/], withinMs: 5_000 },
    },
    {
        name: 'PROMPTSCOPE_DECODE_LOOP set but empty: the default, no error',
        args: ctx => ['run', '--text', 'hi', ...quick(ctx), '--no-history'],
        env: () => ({ PROMPTSCOPE_DECODE_LOOP: '' }),
        expect: { code: 0 },
    },
    ...['run', 'probs', 'attention', 'eval', 'render', 'info', 'score', 'bench', 'fixture-model', 'build-runtime'].map((command): FaultCase => ({
        name: `${command} --help: plain text, no control characters (a stray escape in a template literal)`,
        args: () => [command, '--help'],
        expect: { code: 0, stdout: new RegExp(`promptscope ${command}`), not: /[\x00-\x08\x0b-\x1f\x7f]/ },
    })),
    {
        name: 'PROMPTSCOPE_MODEL names a folder: named, with what to do',
        setup: ctx => mkdirSync(join(ctx.work, 'models')),
        args: () => ['run', '--text', 'hi'],
        env: ctx => ({ PROMPTSCOPE_MODEL: join(ctx.work, 'models') }),
        expect: { code: [1, 2], stderr: [/models/, /folder|director/] },
    },
];
