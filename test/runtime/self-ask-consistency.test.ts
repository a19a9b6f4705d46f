// Self-consistency over self-ask on the real runtime (the fixture model): three chains, each a conversation of its own
// sampled at the self-consistency temperature with a seed derived from the request's, and a vote that is exactly the
// majority of the chains' answers; the same seed gives the same chains. The fixture writes noise, so the test checks
// the structure and the vote's consistency with the chains, not the answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSeed } from '../../src/core/reasoning/deriveSeed';
import { executeStrategy } from '../../src/core/reasoning/executeStrategy';
import { majorityVote } from '../../src/core/reasoning/majorityVote';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import { reasoningTrace } from '../../src/core/reasoning/reasoningTrace';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { fixtureModelPath } from '../support/fixtures';
import { newClient } from './helpers';

let client: RuntimeClient;

before(async () => {
    ({ client } = newClient());
    await client.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 });
});

after(async () => {
    await client.dispose();
});

const run: PromptRun = {
    file: undefined, messages: [{ role: 'user', text: 'What is (3 + 4) × 2?' }], sampling: { maxTokens: 12 }, lora: [],
    settings: { samples: 3, selfAsk: { maxFollowUps: 1 } }, promptHash: '0'.repeat(64),
};

test('samples 3: three self-ask chains with derived seeds, and a vote consistent with their answers', async () => {
    const outcome = await executeStrategy(client, run, { strategy: 'self-ask', flags: {}, seed: 21 });
    assert.equal(outcome.chains?.length, 3);
    assert.deepEqual(outcome.chains!.map(c => c.seed), [0, 1, 2].map(i => deriveSeed(21, i)));
    const vote = majorityVote(outcome.chains!.map(c => ({ answer: c.answer })));
    assert.equal(outcome.answer, vote.winner);
    assert.deepEqual(outcome.votes, vote.votes);
    assert.equal(outcome.unmapped, outcome.chains!.filter(c => c.answer === undefined).length);
    assert.equal(Object.values(outcome.votes!).reduce((a, b) => a + b, 0) + outcome.unmapped!, 3, 'every chain votes or is unmapped');
    // Each chain asked at most one follow-up, and its turns are all in the outcome: its first turn, one per follow-up
    // answered by the model and one after it, and a last turn asking for the answer when none was given.
    for (const chain of outcome.chains!) assert.ok(chain.followUps.length <= 1);
    assert.ok(outcome.messages.length >= 3);
    assert.ok(outcome.tokens.generated > 0);
    // The trace has one root per chain, each ending with its final answer.
    const trace = reasoningTrace(outcome);
    assert.deepEqual(trace.roots.map(r => r.kind), ['chain', 'chain', 'chain']);
    assert.deepEqual(trace.roots.map(r => r.children.at(-1)!.kind), ['final', 'final', 'final']);
    assert.deepEqual(trace.roots.map(r => r.answer), outcome.chains!.map(c => c.answer ?? null));

    // Seeded: the same chains again.
    const again = await executeStrategy(client, run, { strategy: 'self-ask', flags: {}, seed: 21 });
    assert.deepEqual(again.chains!.map(c => [c.output, c.followUps]), outcome.chains!.map(c => [c.output, c.followUps]));
});
