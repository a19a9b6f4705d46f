// Self-consistency end to end: core's runner over the real runtime (chatMany on the fixture model). The fixture's
// answers are noise, so a grammar makes every path end in a votable answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractLastNumber } from '../../src/core/reasoning/extractAnswer';
import { majorityVote } from '../../src/core/reasoning/majorityVote';
import { runSelfConsistency } from '../../src/core/reasoning/selfConsistency';
import { chatPathGenerator } from '../../src/runtime/chatPathGenerator';
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

const request = {
    messages: [{ role: 'user' as const, text: 'What is 1 + 2? Think, then answer.' }],
    sampling: { maxTokens: 24, grammar: 'root ::= [a-z ]{0,12} "The answer is " [1-4] "."' },
};

test('N paths sampled in one batch, extracted, normalised and voted; the same seed gives the same vote', async () => {
    const generator = chatPathGenerator(client, request);
    const result = await runSelfConsistency(generator, { samples: 8, temperature: 1, seed: 11 });
    assert.equal(result.paths.length, 8);
    for (const path of result.paths) {
        assert.match(path.text, /The answer is [1-4]\.$/);
        assert.equal(path.rawAnswer, extractLastNumber(path.text));
        assert.equal(path.answer, path.rawAnswer);
        assert.ok(path.meanLogprob! <= 0);
    }
    assert.equal(result.unmapped, 0);
    const expected = majorityVote(result.paths.map(p => ({ answer: p.answer })));
    assert.equal(result.answer, expected.winner);
    assert.deepEqual(result.votes, expected.votes);
    assert.equal(Object.values(result.votes).reduce((a, b) => a + b, 0), 8);
    assert.equal(result.agreement, result.votes[result.answer!]! / 8);
    assert.equal(result.paths[0]!.seed, 11);

    const again = await runSelfConsistency(generator, { samples: 8, temperature: 1, seed: 11 });
    assert.deepEqual(again.paths.map(p => p.text), result.paths.map(p => p.text));
    assert.deepEqual(again.votes, result.votes);
    assert.equal(again.answer, result.answer);

    const weighted = await runSelfConsistency(generator, { samples: 8, temperature: 1, seed: 11, weighting: 'probability' });
    assert.deepEqual(weighted.paths.map(p => p.text), result.paths.map(p => p.text));
    assert.equal(weighted.vote.weighting, 'probability');
});
