// `promptscope probs` as a user runs it: the built CLI in a child process.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TokenProbabilitiesResult } from '../../src/shared/runtimeApi';
import { fixtureModelPath } from '../support/fixtures';
import { repoRoot, runCli } from '../support/runCli';



/** Keys a token text has only when they apply (src/shared/tokenText.ts). */
const optionalTextKeys = ['pieces', 'joinsPrevious', 'undecodable'];

describe('promptscope probs', () => {
    let model: string;

    before(async () => {
        model = await fixtureModelPath();
    });

    test('--json prints the result object: prompt and generated tokens with raw logprobs and top-K', async () => {
        const run = await runCli(['probs', '--text', 'The quick brown fox', '--model', model, '--generate', '3', '--alternatives', '4',
            '--seed', '5', '--threads', '1', '--json']);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, '');
        const result = JSON.parse(run.stdout) as TokenProbabilitiesResult;
        assert.equal(typeof result.model, 'string');
        assert.equal(result.exact, true);
        assert.equal(result.seed, 5);
        const prompt = result.tokens.filter(t => t.source === 'prompt');
        const generated = result.tokens.filter(t => t.source === 'generated');
        assert.ok(prompt.length >= 5, 'BOS and the words');
        assert.equal(generated.length, 3);
        result.tokens.forEach((token, i) => {
            assert.equal(token.index, i);
            assert.equal(typeof token.id, 'number');
            assert.equal(typeof token.text, 'string');
            if (i === 0) {
                assert.equal(token.logprob, null);
                assert.deepEqual(token.top, []);
                return;
            }
            assert.ok(token.logprob! <= 0 && token.entropy! >= 0);
            assert.equal(token.top.length, 4);
            for (const alt of token.top) {
                assert.deepEqual(Object.keys(alt).filter(key => !optionalTextKeys.includes(key)).sort(), ['id', 'logprob', 'raw', 'text']);
            }
            assert.ok(token.top[0]!.logprob >= token.top[3]!.logprob);
        });
        for (const token of generated) assert.ok(token.sampledTop && token.sampledTop.length > 0);
        assert.ok(result.promptPerplexity! > 1);

        // --top-k is the deprecated alias: the same result, and one line of warning on stderr.
        const again = await runCli(['probs', '--text', 'The quick brown fox', '--model', model, '--generate', '3', '--top-k', '4',
            '--seed', '5', '--threads', '1', '--json']);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(again.stderr, 'promptscope probs: warning: --top-k is deprecated here, use --alternatives N (in run, --top-k is the sampling filter)\n');
        const aliased = JSON.parse(again.stdout) as TokenProbabilitiesResult;
        assert.deepEqual(aliased.tokens.map(t => t.id), result.tokens.map(t => t.id));
        assert.deepEqual(aliased.tokens.map(t => t.top.length), result.tokens.map(t => t.top.length));
        assert.deepEqual(Object.keys(result).sort(), ['exact', 'logitsSource', 'model', 'promptPerplexity', 'seed', 'stopReason', 'timing', 'tokens']);
    });

    test('the human table lists each token with its probability and alternatives', async () => {
        const run = await runCli(['probs', '--text', 'hello world', '--model', model, '--threads', '1', '--no-exact']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /token\s+piece\s+p\s+H \(nats\)\s+top alternatives/);
        assert.match(run.stdout, / hello\s+▁hello\s+\d\.\d(e[+-]\d+)?%/);
        assert.match(run.stdout, /prompt perplexity \d+\.\d+, F16 KV cache/);
    });

    test('Chinese, emoji and combining marks: the joined texts are the text, split characters shown once, never U+FFFD', async () => {
        // The fixture's SPM vocabulary has none of these characters: each falls back to byte tokens.
        const text = '正面 负面 😀 👍🏽 👨\u200d👩\u200d👧 cafe\u0301';
        const run = await runCli(['probs', '--text', text, '--model', model, '--alternatives', '5', '--threads', '1', '--json']);
        assert.equal(run.code, 0, run.stderr);
        const result = JSON.parse(run.stdout) as TokenProbabilitiesResult;
        assert.equal(result.tokens.map(t => t.text).join(''), `<s> ${text}`);
        assert.ok(!run.stdout.includes('\uFFFD') && !run.stdout.includes('\\ufffd'));
        const fu = result.tokens.findIndex(t => t.text === '负');
        assert.deepEqual(result.tokens.slice(fu - 2, fu + 1).map(t => [t.raw, t.text, t.pieces]), [
            ['<0xE8>', '', [{ character: '负', from: 1, to: 1, of: 3 }]],
            ['<0xB4>', '', [{ character: '负', from: 2, to: 2, of: 3 }]],
            ['<0x9F>', '负', [{ character: '负', from: 3, to: 3, of: 3 }]],
        ]);
        const grin = result.tokens.findIndex(t => t.text === '😀');
        assert.deepEqual(result.tokens.slice(grin - 3, grin + 1).map(t => t.pieces![0]!.from), [1, 2, 3, 4]);
        assert.equal(result.tokens.find(t => t.text === '\u0301')!.joinsPrevious, true);

        const table = await runCli(['probs', '--text', '正面', '--model', model, '--threads', '1']);
        assert.equal(table.code, 0, table.stderr);
        assert.ok(!table.stdout.includes('\uFFFD'), table.stdout);
        assert.match(table.stdout, /⟨正 1\/3⟩\s+<0xE6>/);
        assert.match(table.stdout, /正⟨正 3\/3⟩\s+<0xA3>/);
    });

    test('--alternatives out of range, or given with --top-k, is a usage error', async () => {
        const range = await runCli(['probs', '--text', 'hi', '--alternatives', '0']);
        assert.equal(range.code, 2);
        assert.equal(range.stderr, 'promptscope probs: --alternatives expects an integer from 1 to 100, got 0\nsee `promptscope probs --help`\n');
        const both = await runCli(['probs', '--text', 'hi', '--alternatives', '3', '--top-k', '3']);
        assert.equal(both.code, 2);
        assert.match(both.stderr, /^promptscope probs: give --alternatives only \(--top-k is its deprecated alias\)\n/);
    });

    test('a missing model is one clear error line', async () => {
        const run = await runCli(['probs', '--text', 'hi', '--model', join(repoRoot, 'no-such-model.gguf'), '--json']);
        assert.notEqual(run.code, 0);
        assert.match(run.stderr, /no-such-model\.gguf/);
        assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m);
        assert.equal(run.stdout, '');
        const none = await runCli(['probs', '--text', 'hi']);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /^promptscope probs: no model given: [^\n]*\nsee `promptscope probs --help`\n$/);
    });
});
