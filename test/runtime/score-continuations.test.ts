// Label scoring: scoreContinuations against a separate direct evaluation (tokenProbabilities of prompt + continuation).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { fixtureModelPath } from '../support/fixtures';
import { newClient } from './helpers';

let client: RuntimeClient;

before(async () => {
    ({ client } = newClient());
    await client.loadModel({ model: await fixtureModelPath(), gpu: 'off' });
});

after(async () => {
    await client.dispose();
});

const prompt = 'The review says the film was a delight. Sentiment:';
const continuations = [' positive', ' negative', ' mixed feelings overall', ' good'];

test('each continuation scores the sum of its tokens\' raw log-probs, as a direct evaluation of prompt + continuation gives them', async () => {
    const result = await client.scoreContinuations({ prompt, continuations, addBos: true });
    const promptTokens = await client.tokenize(prompt, { addBos: true });
    assert.equal(result.promptTokens, promptTokens.length);
    assert.equal(result.scores.length, continuations.length);
    assert.ok(result.scores.some(s => s.tokens.length > 1), 'a multi-token continuation is covered');
    // The prompt once, then every token but the last of every token sequence scored.
    const sequences = result.scores.flatMap(s => s.segmentations ?? [s]);
    assert.equal(result.timing.evaluatedTokens, promptTokens.length + sequences.reduce((n, s) => n + s.tokens.length - 1, 0));
    for (const score of result.scores) {
        const sums: number[] = [];
        for (const sequence of score.segmentations ?? [score]) {
            const direct = await client.tokenProbabilities({ prompt: [...promptTokens, ...sequence.tokens], topK: 1 });
            const expected = direct.tokens.slice(promptTokens.length).map(t => t.logprob!);
            assert.equal(sequence.tokenLogprobs.length, expected.length);
            sequence.tokenLogprobs.forEach((logprob, i) => assert.ok(Math.abs(logprob - expected[i]!) < 1e-4, `${score.text} token ${i}: ${logprob} vs ${expected[i]}`));
            const sum = expected.reduce((a, b) => a + b, 0);
            assert.ok(Math.abs(sequence.logprob - sum) < 1e-4, `${score.text}: ${sequence.logprob} vs ${sum}`);
            sums.push(sum);
        }
        // Different token sequences writing the same text: their probabilities add.
        const total = Math.log(sums.reduce((a, b) => a + Math.exp(b), 0));
        assert.ok(Math.abs(score.logprob - total) < 1e-4, `${score.text}: ${score.logprob} vs ${total}`);
        assert.ok(score.logprob < 0);
    }
});

test('continuations do not see each other: scoring one alone gives the same value; chat prompts go through the template', async () => {
    const messages = [{ role: 'user' as const, text: 'Was the film good?' }];
    const all = await client.scoreContinuations({ prompt: messages, continuations: [' mixed feelings overall', 'yes', 'no'] });
    const alone = await client.scoreContinuations({ prompt: messages, continuations: ['no'] });
    assert.ok(Math.abs(all.scores[2]!.logprob - alone.scores[0]!.logprob) < 1e-6);
    assert.ok(all.promptTokens > 5);
});

test('a continuation is scored as the tokens it gets after the prompt: in a chat, as the model\'s turn writes it', async () => {
    const messages = [{ role: 'user' as const, text: 'Was the film good?' }];
    const prompt = await client.renderChat(messages);
    for (const text of ['good', 'mixed feelings']) {
        const full = await client.renderChat([...messages, { role: 'model' as const, text }]);
        const inTurn = full.tokens.slice(prompt.tokens.length).map(t => t.id);
        const result = await client.scoreContinuations({ prompt: messages, continuations: [text] });
        const score = result.scores[0]!;
        assert.deepEqual(score.tokens, inTurn);
        // Each way of writing the text after the prompt, by a direct evaluation of prompt + those tokens.
        const sequenceLogprob = async (tokens: number[]) => {
            const direct = await client.tokenProbabilities({ prompt: [...prompt.tokens.map(t => t.id), ...tokens], topK: 1 });
            return direct.tokens.slice(prompt.tokens.length).reduce((a, t) => a + t.logprob!, 0);
        };
        const alone = await client.tokenize(text, { addBos: false });
        const inTurnLogprob = await sequenceLogprob(inTurn);
        if (text === 'good') {
            // The fixture vocabulary writes "good" letter by letter after the turn's newline, and as "▁good" alone: two
            // sequences the model may write, whose probabilities add.
            assert.notDeepEqual(inTurn, alone);
            assert.deepEqual(score.segmentations!.map(s => s.tokens), [inTurn, alone]);
            const aloneLogprob = await sequenceLogprob(alone);
            const both = Math.log(Math.exp(inTurnLogprob) + Math.exp(aloneLogprob));
            assert.ok(Math.abs(score.logprob - both) < 1e-4, `${text}: ${score.logprob} vs ${both}`);
            assert.ok(Math.abs(score.segmentations![1]!.logprob - aloneLogprob) < 1e-4);
        }
        assert.ok(Math.abs((score.segmentations?.[0]?.logprob ?? score.logprob) - inTurnLogprob) < 1e-4, `${text}: in the turn ${inTurnLogprob}`);
    }
    // After a prefill the continuation goes on from it.
    const prefilled = [...messages, { role: 'model' as const, text: 'It was' }];
    const before = await client.renderChat(prefilled);
    const after = await client.renderChat([...messages, { role: 'model' as const, text: 'It was good' }]);
    const result = await client.scoreContinuations({ prompt: prefilled, continuations: [' good'] });
    assert.deepEqual(result.scores[0]!.tokens, after.tokens.slice(before.tokens.length).map(t => t.id));
});

test('no continuation, or an empty one, is a clear error', async () => {
    await assert.rejects(client.scoreContinuations({ prompt, continuations: [] }), /at least one continuation/);
    await assert.rejects(client.scoreContinuations({ prompt, continuations: ['a', ''] }), /non-empty text/);
});
