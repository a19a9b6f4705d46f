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
    // The prompt once, then every continuation token but the last.
    assert.equal(result.timing.evaluatedTokens, promptTokens.length + result.scores.reduce((n, s) => n + s.tokens.length - 1, 0));
    for (const score of result.scores) {
        const direct = await client.tokenProbabilities({ prompt: [...promptTokens, ...score.tokens], topK: 1 });
        const expected = direct.tokens.slice(promptTokens.length).map(t => t.logprob!);
        assert.equal(score.tokenLogprobs.length, expected.length);
        score.tokenLogprobs.forEach((logprob, i) => assert.ok(Math.abs(logprob - expected[i]!) < 1e-4, `${score.text} token ${i}: ${logprob} vs ${expected[i]}`));
        const sum = expected.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(score.logprob - sum) < 1e-4, `${score.text}: ${score.logprob} vs ${sum}`);
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

test('no continuation, or an empty one, is a clear error', async () => {
    await assert.rejects(client.scoreContinuations({ prompt, continuations: [] }), /at least one continuation/);
    await assert.rejects(client.scoreContinuations({ prompt, continuations: ['a', ''] }), /non-empty text/);
});
