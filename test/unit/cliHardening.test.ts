// Issue 15's command-line hardening, in-process (no model): negative numbers after a space, bounded --threads and
// LoRA scales, --lora's scale named as the flag's mistake, terminal escaping of model text, and --generate's overflow.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkKnownFlags, closestName, integerFlag, joinNegativeNumbers, loraFlags, numberFlag, threadsFlag } from '../../src/cli/parseFlags';
import { samplesFlag } from '../../src/cli/strategy/parseStrategyFlags';
import { checkRuntimeSwitches } from '../../src/shared/environmentSwitches';
import { EnvironmentVariableError } from '../../src/shared/errors/EnvironmentVariableError';
import { modelOptions } from '../../src/cli/modelFlags';
import { samplingOptions, allSamplingFlags } from '../../src/cli/samplingFlags';
import { terminalText } from '../../src/cli/terminalText';
import { formatProbabilities, generateTooLarge } from '../../src/cli/commands/probs';
import { UsageError } from '../../src/cli/UsageError';
import { escapeControlCharacters } from '../../src/core/text/escapeControlCharacters';
import { ContextOverflowError } from '../../src/shared/errors/ContextOverflowError';
import { maxLoraScale, maxSamplePaths, maxThreads } from '../../src/shared/limits';
import type { TokenProbabilitiesResult } from '../../src/shared/runtimeApi';

const options = { ...samplingOptions(allSamplingFlags), ...modelOptions, raw: { type: 'boolean' }, text: { type: 'string', short: 't' } } as const;

describe('negative numbers after a space', () => {
    test('a negative number after a flag that takes a value is its value, for every numeric flag', () => {
        const argv = joinNegativeNumbers(['--temperature', '-1', '--seed', '-2', '--top-p', '-.5', '--min-p', '-1e-3', '--threads', '-4'], options);
        const { values } = parseArgs({ args: argv, options, strict: true });
        assert.deepEqual([numberFlag(values, 'temperature'), integerFlag(values, 'seed'), numberFlag(values, 'top-p'), numberFlag(values, 'min-p')], [-1, -2, -0.5, -0.001]);
        assert.throws(() => threadsFlag(values), /--threads expects an integer from 1 to 1024/);
    });

    test('without the joining, parseArgs calls the same argument ambiguous', () => {
        assert.throws(() => parseArgs({ args: ['--temperature', '-1'], options, strict: true }), /ambiguous/);
    });

    test('a flag after a flag, a boolean flag, a short option, --name=value and anything after -- are left alone', () => {
        assert.deepEqual(joinNegativeNumbers(['--model', '--raw'], options), ['--model', '--raw']);
        assert.deepEqual(joinNegativeNumbers(['--raw', '-1'], options), ['--raw', '-1']);
        assert.deepEqual(joinNegativeNumbers(['-t', '-3'], options), ['-t-3']);
        assert.equal(parseArgs({ args: ['-t-3'], options, strict: true }).values.text, '-3');
        assert.deepEqual(joinNegativeNumbers(['--temperature=-1', '-2'], options), ['--temperature=-1', '-2']);
        assert.deepEqual(joinNegativeNumbers(['--', '--temperature', '-1'], options), ['--', '--temperature', '-1']);
        // Not numbers: left for parseArgs to refuse.
        assert.deepEqual(joinNegativeNumbers(['--temperature', '-x'], options), ['--temperature', '-x']);
    });

    test('numbers must be finite', () => {
        assert.throws(() => numberFlag({ temperature: '1e400' }, 'temperature'), (e: Error) => e instanceof UsageError && /--temperature expects a finite number, got 1e400/.test(e.message));
        assert.throws(() => numberFlag({ temperature: 'warm' }, 'temperature'), /expects a number, got "warm"/);
    });
});

describe('unknown flags', () => {
    test('the closest known flag is suggested for a likely typo, nothing for a name far from every flag', () => {
        const known = Object.keys(options);
        assert.equal(closestName('max-tokenz', known), 'max-tokens');
        assert.equal(closestName('temprature', known), 'temperature');
        assert.equal(closestName('seedd', known), 'seed');
        assert.equal(closestName('temp', known), 'temperature');
        assert.equal(closestName('frobnicate', known), undefined);
        assert.equal(closestName('x', known), undefined);
    });

    test('checkKnownFlags names the first unknown --flag (with =value too) and skips values and everything after --', () => {
        const unknown = (argv: string[]) => { try { checkKnownFlags(argv, options); return undefined; } catch (error) { assert.ok(error instanceof UsageError); return error.message; } };
        assert.equal(unknown(['--max-tokenz', '3']), "Unknown option '--max-tokenz': did you mean --max-tokens?");
        assert.equal(unknown(['--seed', '1', '--temprature=0']), "Unknown option '--temprature': did you mean --temperature?");
        assert.equal(unknown(['--frobnicate']), "Unknown option '--frobnicate'");
        assert.equal(unknown(['--text', '--max-tokenz', '--raw', '-t', 'x', '--', '--anything']), undefined);
        assert.equal(unknown(['--text=--max-tokenz']), undefined);
    });
});

describe('--samples', () => {
    test(`1 to maxSamplePaths (${maxSamplePaths}), the flag and the range in the message`, () => {
        assert.equal(samplesFlag({ samples: String(maxSamplePaths) }), maxSamplePaths);
        assert.equal(samplesFlag({}), undefined);
        for (const bad of ['0', String(maxSamplePaths + 1), '1000']) {
            assert.throws(() => samplesFlag({ samples: bad }), (error: Error) => error instanceof UsageError
                && error.message.startsWith(`--samples expects an integer from 1 to ${maxSamplePaths}`) && error.message.endsWith(`got ${bad}`));
        }
    });
});

describe('runtime switches in the environment', () => {
    test('unset, empty or a value a switch takes passes; anything else names the variable and the values', () => {
        checkRuntimeSwitches({});
        checkRuntimeSwitches({ PROMPTSCOPE_DECODE_LOOP: '', PROMPTSCOPE_LOGITS_SOURCE: 'native' });
        checkRuntimeSwitches({ PROMPTSCOPE_DECODE_LOOP: 'node-llama-cpp', PROMPTSCOPE_LOGITS_SOURCE: 'node-llama-cpp' });
        assert.throws(() => checkRuntimeSwitches({ PROMPTSCOPE_DECODE_LOOP: 'garbage' }), (error: unknown) => error instanceof EnvironmentVariableError
            && error.variable === 'PROMPTSCOPE_DECODE_LOOP' && error.value === 'garbage'
            && error.message === 'PROMPTSCOPE_DECODE_LOOP="garbage" is not a value it takes: set it to node-llama-cpp, or unset it for the default.');
        assert.throws(() => checkRuntimeSwitches({ PROMPTSCOPE_LOGITS_SOURCE: 'Native' }), /PROMPTSCOPE_LOGITS_SOURCE="Native".*native or node-llama-cpp/);
    });
});

describe('--threads', () => {
    test('1 to maxThreads (the runtime\'s limit), said in the message', () => {
        assert.equal(maxThreads, 1024);
        assert.equal(threadsFlag({ threads: '1024' }), 1024);
        assert.equal(threadsFlag({}), undefined);
        assert.throws(() => threadsFlag({ threads: '5000' }), (e: Error) => e instanceof UsageError && e.message === '--threads expects an integer from 1 to 1024 (the runtime\'s limit), got 5000');
        assert.throws(() => threadsFlag({ threads: '0' }), /from 1 to 1024/);
    });
});

describe('--lora PATH[:SCALE]', () => {
    test('a number after the last colon is the scale; a path separator after it makes it part of the path', () => {
        assert.deepEqual(loraFlags({ lora: ['a.gguf:0.5', 'b.gguf:-1', 'c.gguf', 'C:\\x\\d.gguf', './v1:2/e.gguf'] }), [
            { path: 'a.gguf', scale: 0.5 }, { path: 'b.gguf', scale: -1 }, { path: 'c.gguf' }, { path: 'C:\\x\\d.gguf' }, { path: './v1:2/e.gguf' },
        ]);
    });

    test('a scale that is not a number, not finite or out of bounds is an error naming the flag and the fix', () => {
        for (const [value, tail] of [['file:abc', 'abc'], ['file:1e400', '1e400'], ['file:1e39', '1e39'], ['file:', ''], [`file:${maxLoraScale + 1}`, String(maxLoraScale + 1)]]) {
            assert.throws(() => loraFlags({ lora: [value] }), (e: Error) => e instanceof UsageError
                && e.message.startsWith(`--lora ${value}: the scale after the last colon, "${tail}", must be a number from -100 to 100`)
                && e.message.includes('write --lora file:0.5, or --lora file for scale 1'), value);
        }
        assert.deepEqual(loraFlags({ lora: [`f.gguf:-${maxLoraScale}`] }), [{ path: 'f.gguf', scale: -maxLoraScale }]);
    });

    test('an existing file whose name has a colon is a path, colons and all', () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-lora-colon-'));
        const file = join(dir, 'style:v2');
        writeFileSync(file, '');
        assert.deepEqual(loraFlags({ lora: [file] }), [{ path: file }]);
    });
});

describe('model text on a terminal', () => {
    const hostile = 'ok\x1b[2J\x1b]0;title\x07 tab\tline\nend\r\u009b31m\u007f';

    test('escapeControlCharacters writes every control character as an escape; keepLayout keeps line breaks and tabs', () => {
        assert.equal(escapeControlCharacters(hostile), 'ok\\u001b[2J\\u001b]0;title\\u0007 tab\\tline\\nend\\r\\u009b31m\\u007f');
        assert.equal(escapeControlCharacters(hostile, { keepLayout: true }), 'ok\\u001b[2J\\u001b]0;title\\u0007 tab\tline\nend\\r\\u009b31m\\u007f');
        assert.equal(escapeControlCharacters('héllo "wörld" \\ 😀'), 'héllo "wörld" \\ 😀');
    });

    test('terminalText escapes on a terminal only, and never with raw', () => {
        assert.equal(terminalText(hostile, false, true), escapeControlCharacters(hostile, { keepLayout: true }));
        assert.equal(terminalText(hostile, true, true), hostile);
        assert.equal(terminalText(hostile, false, false), hostile);
    });

    test('probs\' table shows a token\'s control characters with the same escaping, one line per token', () => {
        const result: TokenProbabilitiesResult = {
            model: 'm', exact: true, seed: 1, stopReason: 'maxTokens', logitsSource: 'native', promptPerplexity: 2,
            timing: { promptTokens: 1, generatedTokens: 0, ms: 1 },
            tokens: [{ index: 0, id: 30, text: '\x1b[2J\n', raw: '\x1b[2J\n', source: 'prompt', logprob: -1, entropy: 1, top: [{ id: 31, text: '\x07', raw: '\x07', logprob: -2 }] }],
        } as unknown as TokenProbabilitiesResult;
        const table = formatProbabilities(result);
        assert.ok(!/[\x00-\x09\x0b-\x1f]/.test(table), JSON.stringify(table));
        assert.match(table, /\\u001b\[2J\\n\s+\\u001b\[2J\\n/, 'the text and the piece');
        assert.match(table, /\\u0007 13\.5%/);
    });
});

describe('probs --generate too large', () => {
    test('the runtime\'s overflow is told in terms of --generate when the prompt alone fits', () => {
        // A 2-token prompt and --generate 5000: the runtime needs 2 + 4999 positions.
        const error = generateTooLarge(new ContextOverflowError(5001, 2048), 5000);
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, '--generate 5000 is too large: the prompt\'s 2 tokens and the generated ones must fit the model\'s context of 2048 tokens; use --generate 2046 or less');
        // A prompt that does not fit alone is the prompt's fault, as the runtime says.
        const long = new ContextOverflowError(3000, 2048);
        assert.equal(generateTooLarge(long, 1), long);
        assert.equal(generateTooLarge(new ContextOverflowError(3000 + 9, 2048), 10) instanceof ContextOverflowError, true);
    });
});
