// Inline completion through RuntimeClient → dist/runtime-host.js → node-llama-cpp on the fixture model (which has FIM
// tokens): the dedicated inline sequence keeps its evaluated prefix between keystrokes and across other requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InlineCompletionResult, ModelInfo } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { fixtureModelPath } from '../support/fixtures';
import { firstChunk, newClient } from './helpers';

const prefix = 'The cat sat on the mat and the dog ran to the';

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
}

describe('inline completion on the fixture model', () => {
    let client: RuntimeClient;
    let info: ModelInfo;
    let fim: { prefix: number; suffix: number; middle: number };
    let plainToken: number;

    /** Prompt tokens of a continuation, computed here independently of the runtime's prompt builder. */
    const continuationTokens = (text: string) => client.tokenize(text, { addBos: true });
    /** Prompt tokens of an infill request up to the suffix marker: `BOS PRE prefix`. */
    const infillHead = async (text: string) => [info.bosToken!, fim.prefix, ...await client.tokenize(text)];

    /** A character that does not start `result`'s text, so the next prompt diverges from the cached generated tokens. */
    const otherChar = (result: InlineCompletionResult) => ['s', 'q'].find(c => !result.text.startsWith(c))!;

    before(async () => {
        ({ client } = newClient());
        info = await client.loadModel({ model: await fixtureModelPath(), gpu: 'off' });
        const [prefixToken, suffixToken, middleToken] = await Promise.all(['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>']
            .map(async text => (await client.tokenize(text, { specialTokens: true })).at(-1)!));
        fim = { prefix: prefixToken!, suffix: suffixToken!, middle: middleToken! };
        plainToken = (await client.tokenize(' the')).at(-1)!;
    });

    after(async () => {
        await client.dispose();
    });

    test('continues the prefix alone, or fills in the middle with a suffix, and reports its timing', async () => {
        assert.equal(info.supportsInfill, true);
        const continuation = await client.completeInline({ prefix });
        assert.equal(continuation.mode, 'continuation');
        assert.equal(continuation.timing.promptTokens, (await continuationTokens(prefix)).length);
        assert.ok(continuation.tokens.length <= 32);
        assert.ok(!continuation.text.includes('\n'), 'stops at the end of the line by default');
        assert.equal(typeof continuation.timing.reusedPromptTokens, 'number');
        assert.ok(continuation.timing.ms > 0);

        const infill = await client.completeInline({ prefix, suffix: ' and then slept.' });
        assert.equal(infill.mode, 'infill');
        const suffixTokens = infill.timing.promptTokens - (await infillHead(prefix)).length - 2;
        assert.ok(suffixTokens > 0, 'SUF, the suffix and MID follow the prefix');
    });

    test('maxTokens defaults to 32', async () => {
        const forced = await client.completeInline({ prefix, stopAt: 'none', sampling: { logitBias: { [plainToken]: Infinity } } });
        assert.equal(forced.tokens.length, 32);
        assert.equal(forced.stopReason, 'maxTokens');
    });

    test('a prefix extended by one character, then by a word, reuses exactly the tokens it shares with the previous one', async () => {
        const first = await client.completeInline({ prefix });
        const typed = prefix + otherChar(first);
        const second = await client.completeInline({ prefix: typed });
        const shared = commonPrefixLength(await continuationTokens(prefix), await continuationTokens(typed));
        assert.ok(shared > 1, `shared ${shared}`);
        assert.equal(second.timing.reusedPromptTokens, Math.min(shared, second.timing.promptTokens - 1));

        const word = `${typed} quietly`;
        const third = await client.completeInline({ prefix: word });
        const sharedWord = commonPrefixLength(await continuationTokens(typed), await continuationTokens(word));
        assert.ok(sharedWord > 1);
        assert.equal(third.timing.reusedPromptTokens, Math.min(sharedWord, third.timing.promptTokens - 1));
        assert.ok(third.timing.promptTokens - third.timing.reusedPromptTokens! <= 4, 'only the new word is evaluated');
    });

    test('infill: a longer prefix before the same suffix reuses BOS, the prefix marker and the shared prefix tokens', async () => {
        const suffix = '\nThe end.';
        const first = await client.completeInline({ prefix, suffix });
        const typed = prefix + otherChar(first);
        const second = await client.completeInline({ prefix: typed, suffix });
        assert.equal(second.mode, 'infill');
        const shared = commonPrefixLength(await infillHead(prefix), await infillHead(typed));
        assert.ok(shared > 2);
        assert.equal(second.timing.reusedPromptTokens, shared);
    });

    test('an unrelated prefix reuses nothing but what it really shares (BOS)', async () => {
        await client.completeInline({ prefix });
        const other = 'Zebras never eat green apples';
        const result = await client.completeInline({ prefix: other });
        const shared = commonPrefixLength(await continuationTokens(prefix), await continuationTokens(other));
        assert.equal(result.timing.reusedPromptTokens, shared);
        assert.ok(shared <= 1, `shared ${shared}`);
    });

    test('greedy results are deterministic, whether the prefix was cached or evaluated cold', async () => {
        const text = `${prefix} house`;
        const cold = await client.completeInline({ prefix: text });
        const warm = await client.completeInline({ prefix: text });
        assert.equal(warm.timing.reusedPromptTokens, warm.timing.promptTokens - 1);
        assert.equal(warm.text, cold.text);
        assert.deepEqual(warm.tokens, cold.tokens);
        // Reached by typing: most of the prompt comes from the cache.
        await client.completeInline({ prefix: 'Something else entirely' });
        await client.completeInline({ prefix: `${prefix} hous` });
        const typed = await client.completeInline({ prefix: text });
        assert.ok(typed.timing.reusedPromptTokens! > 1);
        assert.equal(typed.text, cold.text);
        assert.deepEqual(typed.tokens, cold.tokens);
    });

    test('plain completions in between do not evict the inline sequence\'s cache', async () => {
        const first = await client.completeInline({ prefix });
        for (const prompt of ['An unrelated prompt about apples', 'Another one, about green dogs']) {
            const plain = await client.complete({ prompt, sampling: { maxTokens: 8, seed: 1 } });
            assert.ok(plain.timing.promptTokens > 1);
        }
        const typed = prefix + otherChar(first);
        const second = await client.completeInline({ prefix: typed });
        const shared = commonPrefixLength(await continuationTokens(prefix), await continuationTokens(typed));
        assert.equal(second.timing.reusedPromptTokens, Math.min(shared, second.timing.promptTokens - 1));
        // And the default context kept its own cache too.
        const again = await client.complete({ prompt: 'Another one, about green dogs', sampling: { maxTokens: 1, seed: 1 } });
        assert.ok(again.timing.reusedPromptTokens! > 1);
    });

    test('other contexts coming and going never evict the inline context (it is pinned)', async () => {
        const first = await client.completeInline({ prefix });
        // Three contexts besides the default one (path counts 2, 3 and 4): more idle ones than the registry keeps.
        for (const n of [2, 3, 4]) await client.completeMany({ prompt: 'Paths of their own', n, sampling: { maxTokens: 2, seed: n } });
        const typed = prefix + otherChar(first);
        const second = await client.completeInline({ prefix: typed });
        const shared = commonPrefixLength(await continuationTokens(prefix), await continuationTokens(typed));
        assert.equal(second.timing.reusedPromptTokens, Math.min(shared, second.timing.promptTokens - 1));
    });

    test('an abort stops the completion at once; the next request runs normally', async () => {
        const controller = new AbortController();
        const { onToken, arrived } = firstChunk();
        const running = client.completeInline(
            // Forced plain tokens and no stop: only the abort ends this early. maxTokens must leave the prefix its room:
            // the prompt is cut to fit contextSize − maxTokens, and a cut prefix would leave nothing to reuse.
            { prefix, stopAt: 'none', sampling: { maxTokens: 1000, logitBias: { [plainToken]: Infinity } } },
            { signal: controller.signal, onToken },
        );
        await arrived;
        const abortedAt = performance.now();
        controller.abort();
        const result = await running;
        const latency = performance.now() - abortedAt;
        assert.equal(result.stopReason, 'aborted');
        assert.ok(latency < 100, `resolved ${latency.toFixed(1)} ms after abort()`);

        const stale = await client.completeInline({ prefix }, { signal: AbortSignal.abort() });
        assert.equal(stale.stopReason, 'aborted');
        assert.equal(stale.text, '');

        const next = await client.completeInline({ prefix: `${prefix} cat` });
        assert.notEqual(next.stopReason, 'aborted');
        assert.ok(next.timing.reusedPromptTokens! > 1, 'the aborted requests left the prefix cached');
    });

    test('invalid requests are rejected with a clear error', async () => {
        await assert.rejects(client.completeInline({ prefix: 3 as unknown as string }), /prefix/);
        await assert.rejects(client.completeInline({ prefix, stopAt: 'word' as 'line' }), /stopAt/);
        await assert.rejects(client.completeInline({ prefix, sampling: { temperature: -1 } }), /temperature/);
    });
});
