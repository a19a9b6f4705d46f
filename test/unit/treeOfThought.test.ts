// Tree-of-thought's control flow on a scripted model: thoughts sampled per kept state, valued by label probability
// (value and vote evaluators), the beam kept, the search stopping at a stated answer or the depth limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { treeOfThought, type ThoughtModel } from '../../src/core/reasoning/treeOfThought';
import { executeStrategy, type StrategyModel } from '../../src/core/reasoning/executeStrategy';
import { readPromptscopeSettings } from '../../src/core/prompt/settings/readPromptscopeSettings';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import type { ChatMessage } from '../../src/core/prompt/chatMessages';

const question: ChatMessage[] = [{ role: 'user', text: 'What is 12 + 30 + 5?' }];

/** Thoughts by the state they extend; values: a state whose last thought contains "good" is sure, "bad" impossible. */
function scripted(thoughtsAfter: Record<string, string[]>): ThoughtModel & { asked: string[] } {
    const asked: string[] = [];
    return {
        asked,
        async sampleThoughts(messages) {
            const steps = /Steps so far:\n([\s\S]*)\nWrite only/.exec(messages.at(-1)!.text)![1]!;
            const key = steps === '(none yet)' ? '' : steps.split('\n').map(l => l.replace(/^\d+\. /, '')).join(' | ');
            asked.push(key);
            return thoughtsAfter[key] ?? [];
        },
        async score(messages, continuations) {
            const text = messages.at(-1)!.text;
            if (/Which candidate/.test(text)) {
                // Vote: the candidate mentioning "good" gets the probability.
                const candidates = text.split(/Candidate \d+:\n/).slice(1);
                return continuations.map((_, i) => (candidates[i]!.includes('good') ? 0 : -5));
            }
            const last = /Partial solution:\n([\s\S]*)\nCan this/.exec(text)![1]!.split('\n').at(-1)!;
            const label = last.includes('good') ? 'sure' : last.includes('bad') ? 'impossible' : 'likely';
            return continuations.map(c => (c === label ? 0 : -6));
        },
    };
}

test('value evaluator: the beam keeps the best states, the search stops at a stated answer', async () => {
    const model = scripted({
        '': ['12 + 30 = 42 (good)', '12 + 30 = 52 (bad)', 'hmm'],
        '12 + 30 = 42 (good)': ['42 + 5 = 47, so the answer is 47 (good)', '42 + 5 = 48 (bad)'],
        'hmm': ['still thinking'],
    });
    const result = await treeOfThought(model, question, { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'value' },
        thoughts => /answer is \d+/.test(thoughts.at(-1) ?? ''));
    assert.deepEqual(result.best, ['12 + 30 = 42 (good)', '42 + 5 = 47, so the answer is 47 (good)']);
    assert.equal(result.steps.length, 2, 'stopped once a kept state stated the answer');
    assert.deepEqual(result.steps[0]!.map(n => n.kept), [true, false, true]);
    assert.ok(result.steps[0]![0]!.value > 0.99 && result.steps[0]![1]!.value < 0.01);
    assert.ok(Math.abs(result.steps[0]![2]!.value - 0.5) < 0.01, 'likely is worth 0.5');
    assert.deepEqual(model.asked, ['', '12 + 30 = 42 (good)', 'hmm']);
    // A step's candidates name their parent among the previous kept states.
    assert.deepEqual(result.steps[1]!.map(n => n.parent), [0, 0, 1]);
});

test('vote evaluator, duplicates dropped, depth limit', async () => {
    const model = scripted({ '': ['a', 'a', 'good a'], 'good a': ['b good', 'c'], 'a': ['d'] });
    const result = await treeOfThought(model, question, { thoughts: 3, beamWidth: 1, maxDepth: 2, evaluator: 'vote' }, () => false);
    assert.equal(result.steps[0]!.length, 2, 'the repeated thought adds no state');
    assert.deepEqual(result.best, ['good a', 'b good']);
});

test('the strategy: thoughts in batches, the answer from the best state or one more turn; promptscope.tot is read and checked', async () => {
    const run = { messages: question, sampling: {}, settings: { tot: { thoughts: 2, beamWidth: 1, maxDepth: 2 } }, lora: [], file: undefined } as unknown as PromptRun;
    const requests: { n?: number; stop?: string[] }[] = [];
    const model: StrategyModel = {
        async chat() { return { text: ' 47.', seed: 1, timing: { promptTokens: 1, generatedTokens: 1 } }; },
        async chatMany(request) {
            requests.push({ n: request.n, stop: request.sampling?.stopSequences });
            return { paths: ['step one', 'step two'].map((text, i) => ({ text, meanLogprob: -1, seed: i })), seed: 1, timing: { promptTokens: 3, generatedTokens: 4 } };
        },
        async scoreContinuations(request) { return { scores: request.continuations.map((text, i) => ({ text, logprob: -i })) }; },
    };
    const outcome = await executeStrategy(model, run, { strategy: 'tree-of-thought', flags: {} });
    assert.equal(outcome.answer, '47');
    assert.equal(outcome.tree!.steps.length, 2);
    assert.deepEqual(requests[0], { n: 2, stop: ['\n'] });
    assert.equal(outcome.outputs.at(-1), ' 47.');
    assert.match(outcome.messages.at(-1)!.at(-1)!.text, /Steps:\n1\. step one\n2\. step one\nTherefore, the answer is$/);
    const bad = readPromptscopeSettings({ 'promptscope.tot': { thoughts: 20 } });
    assert.match(bad.issues[0]!.message, /thoughts must be an integer from 1 to 8; got 20/);
    assert.deepEqual(readPromptscopeSettings({ 'promptscope.tot': { evaluator: 'vote', maxDepth: 4 } }).settings.tot, { evaluator: 'vote', maxDepth: 4 });
    await assert.rejects(executeStrategy({ chat: model.chat, chatMany: model.chatMany }, run, { strategy: 'tree-of-thought', flags: {} }), /needs label scoring/);
});
