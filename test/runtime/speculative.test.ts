// Speculative decoding on the native loop (generationLoop.cc's speculative rounds, tokenDrafters.cc): the output is the
// plain run's, token for token, greedy and sampled with a seed, whatever the drafter proposes; the figures add up; and
// what cannot speculate says why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { CompletionResult, SamplingOptions, SpeculativeOptions } from '../../src/shared/runtimeApi';
import { ModelFileError, SpeculativeDecodingError } from '../../src/shared/errors';
import { writeFixtureModel } from '../../src/core/fixtures';
import { fixtureFile, fixtureModelPath, zooModelPath } from '../support/fixtures';
import { newClient } from './helpers';

const prompt = 'The river ran past the old stone mill and the children played by the water.';

/** The figures of a speculative result must describe its tokens. */
function assertFigures(result: CompletionResult): void {
    const s = result.speculative!;
    assert.equal(s.tokenSources.length, result.tokens.length);
    // A stop sequence cuts the text after the run went on to the end of its round: the counts are of the whole run.
    const acceptedKept = s.tokenSources.filter(source => source === 'accepted').length;
    if (result.stopReason === 'stopSequence') assert.ok(s.accepted >= acceptedKept);
    else assert.equal(acceptedKept, s.accepted);
    for (const { index } of s.rejected) assert.equal(s.tokenSources[index], 'sampled', `a rejected draft is replaced by the model's own token (${index})`);
    assert.ok(s.drafted >= s.accepted + s.rejected.length, `${s.drafted} drafted < ${s.accepted} accepted + ${s.rejected.length} rejected`);
    if (s.drafted > 0) assert.equal(s.acceptanceRate, s.accepted / s.drafted);
    // Each round evaluates once and ends with one token of the model's own, unless the run ended on an accepted draft.
    if (result.stopReason !== 'stopSequence') {
        assert.ok(s.rounds >= result.tokens.length - s.accepted - 1 && s.rounds <= result.tokens.length, `${s.rounds} rounds for ${result.tokens.length} tokens`);
    }
}

describe('speculative decoding', () => {
    let client: RuntimeClient;
    let model: string;
    let quantizedCopy: string;
    let otherModel: string;
    let folder: string;

    before(async () => {
        model = await fixtureModelPath();
        otherModel = await fixtureFile('tiny-seed2.gguf', path => writeFixtureModel(path, { seed: 2 }));
        folder = mkdtempSync(join(tmpdir(), 'promptscope-speculative-'));
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
        quantizedCopy = join(folder, 'draft-q8_0.gguf');
        await client.quantizeModel({ input: model, output: quantizedCopy, type: 'Q8_0' });
    });

    after(async () => {
        await client.dispose();
        rmSync(folder, { recursive: true, force: true });
    });

    const drafters = (): [string, SpeculativeOptions][] => [
        ['the model itself as its draft (every draft accepted)', { draftModel: model, minProbability: 0 }],
        ['its Q8_0 copy', { draftModel: quantizedCopy, minProbability: 0, maxDraft: 6 }],
        ['an unrelated model of the same vocabulary (drafts mostly rejected)', { draftModel: otherModel, minProbability: 0, maxDraft: 3 }],
        ['prompt lookup', { lookup: { ngramMin: 1, ngramMax: 2 }, maxDraft: 5 }],
    ];

    test('greedy: every drafter gives the plain run\'s tokens', async () => {
        const sampling: SamplingOptions = { temperature: 0, maxTokens: 120, repeatPenalty: 1 };
        for (const text of [prompt, 'one two three four one two three four one two three four one two']) {
            const plain = await client.complete({ prompt: text, sampling });
            assert.equal(plain.speculative, undefined);
            for (const [label, speculative] of drafters()) {
                const result = await client.complete({ prompt: text, sampling, speculative });
                assert.deepEqual(result.tokens, plain.tokens, label);
                assert.equal(result.text, plain.text, label);
                assert.equal(result.timing.loop, 'native');
                assertFigures(result);
            }
        }
        const self = await client.complete({ prompt, sampling, speculative: { draftModel: model, minProbability: 0 } });
        assert.equal(self.speculative!.accepted, self.speculative!.drafted, 'the model drafting for itself is always right');
        assert.ok(self.speculative!.rounds < self.tokens.length / 4, `${self.speculative!.rounds} rounds`);
        assert.equal(self.speculative!.method, 'draft-model');
        assert.equal(self.speculative!.draftModel, model);
        const lookup = await client.complete({ prompt, sampling: { ...sampling, maxTokens: 300 }, speculative: { lookup: {} } });
        assert.ok(lookup.speculative!.accepted > 0, 'the fixture repeats itself now and then; lookup catches some of it');
    });

    test('sampling with a seed: the plain run\'s tokens for every seed, so the output distribution is the plain one', async () => {
        // Per seed the same tokens; over 120 seeds, a chi-square test of the first sampled tokens against the plain
        // runs' confirms it the way a test of distributions would (it can only fail if some seed's tokens differ).
        const plainCounts = new Map<number, number>();
        const speculativeCounts = new Map<number, number>();
        for (let seed = 1; seed <= 120; seed++) {
            const sampling: SamplingOptions = { temperature: 1.1, topK: 20, topP: 0.95, repeatPenalty: 1.2, seed, maxTokens: 12 };
            const plain = await client.complete({ prompt, sampling });
            const speculative = await client.complete({ prompt, sampling, speculative: { draftModel: quantizedCopy, minProbability: 0, maxDraft: 4 } });
            assert.deepEqual(speculative.tokens, plain.tokens, `seed ${seed}`);
            assertFigures(speculative);
            const key = plain.tokens[3]!;
            plainCounts.set(key, (plainCounts.get(key) ?? 0) + 1);
            speculativeCounts.set(speculative.tokens[3]!, (speculativeCounts.get(speculative.tokens[3]!) ?? 0) + 1);
        }
        let chiSquare = 0;
        for (const token of new Set([...plainCounts.keys(), ...speculativeCounts.keys()])) {
            const a = plainCounts.get(token) ?? 0;
            const b = speculativeCounts.get(token) ?? 0;
            chiSquare += (a - b) ** 2 / (a + b);
        }
        assert.equal(chiSquare, 0);
    });

    test('stop sequences, streaming, chat and consecutive requests on the draft\'s kept KV', async () => {
        const sampling: SamplingOptions = { temperature: 0, maxTokens: 60, stopSequences: ['e'] };
        const plain = await client.complete({ prompt, sampling });
        const streamed: number[] = [];
        const result = await client.complete({ prompt, sampling, speculative: { draftModel: model, minProbability: 0 } },
            { onToken: chunk => streamed.push(...chunk.tokens) });
        assert.equal(result.text, plain.text);
        assert.equal(result.stopReason, plain.stopReason);
        assert.deepEqual(result.tokens, plain.tokens);
        assertFigures(result);
        // A longer prompt with the same start: the draft's sequence keeps what matches.
        const longer = await client.complete({ prompt: `${prompt} And then`, sampling: { temperature: 0, maxTokens: 30 }, speculative: { draftModel: model, minProbability: 0 } });
        assert.deepEqual(longer.tokens, (await client.complete({ prompt: `${prompt} And then`, sampling: { temperature: 0, maxTokens: 30 } })).tokens);
        const chat = { messages: [{ role: 'user' as const, text: 'Name a river' }], sampling: { temperature: 0, maxTokens: 30 } };
        assert.deepEqual((await client.chat({ ...chat, speculative: { draftModel: quantizedCopy, minProbability: 0 } })).tokens, (await client.chat(chat)).tokens);
    });

    test('the two most recently used draft models stay loaded; a third costs a load again, and the tokens do not change', async () => {
        const sampling: SamplingOptions = { temperature: 0, maxTokens: 12 };
        const plain = await client.complete({ prompt, sampling });
        const run = async (draftModel: string): Promise<number> => {
            const result = await client.complete({ prompt, sampling, speculative: { draftModel, minProbability: 0, maxDraft: 4 } });
            assert.deepEqual(result.tokens, plain.tokens);
            assert.equal(result.speculative!.draftModel, draftModel);
            return result.speculative!.draftLoadMs!;
        };
        await run(model);
        await run(quantizedCopy);
        await run(otherModel); // the model itself, least recently used, is unloaded now
        assert.equal(await run(otherModel), 0, 'a loaded draft is reused');
        assert.equal(await run(quantizedCopy), 0, 'the second most recent stays loaded');
        assert.ok(await run(model) > 0, 'the unloaded draft is loaded again');
        assert.equal(await run(quantizedCopy), 0);
        assert.ok(await run(otherModel) > 0, 'loading the model again unloaded the least recently used draft');
    });

    test('what cannot speculate says why', async () => {
        const cases: [SpeculativeOptions, RegExp][] = [
            [{ draftModel: model, lookup: {} }, /both a draft model and prompt lookup/],
            [{}, /neither a draft model nor prompt lookup/],
            [{ lookup: {}, maxDraft: 0 }, /maxDraft must be a whole number from 1 to 64, got 0/],
            [{ draftModel: model, minProbability: 1.5 }, /minProbability must be a number from 0 to 1/],
            [{ lookup: { ngramMin: 3, ngramMax: 2 } }, /ngramMax \(2\) is below lookup.ngramMin \(3\)/],
            [{ draftModel: await zooModelPath('llama3') }, /has a vocabulary of \d+ tokens, the model 2402/],
        ];
        for (const [speculative, message] of cases) {
            await assert.rejects(client.complete({ prompt, sampling: { maxTokens: 4 }, speculative }), (error: unknown) => {
                assert.ok(error instanceof SpeculativeDecodingError, String(error));
                assert.match(error.message, message);
                return true;
            });
        }
        await assert.rejects(client.complete({ prompt, sampling: { maxTokens: 4, grammar: 'root ::= "yes"' }, speculative: { lookup: {} } }),
            (error: unknown) => error instanceof SpeculativeDecodingError && /grammar/.test(error.problem));
        await assert.rejects(client.complete({ prompt, sampling: { maxTokens: 4 }, speculative: { draftModel: join(folder, 'missing.gguf') } }), ModelFileError);
        // The runtime goes on as before.
        assert.equal((await client.complete({ prompt, sampling: { temperature: 0, maxTokens: 4 } })).tokens.length, 4);
    });
});
