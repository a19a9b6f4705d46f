// Tree-of-thought's control flow on a scripted model: thoughts sampled per kept state, valued by label probability
// (value and vote evaluators), the beam kept, the search stopping at a stated answer or the depth limit; depth-first,
// the best child followed first, pruned and dead-end branches backtracked from, the first answer ending the search
// and the expansion budget holding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { treeOfThought, type ThoughtModel } from '../../src/core/reasoning/treeOfThought';
import { executeStrategy, type StrategyModel } from '../../src/core/reasoning/executeStrategy';
import { readPromptscopeSettings } from '../../src/core/prompt/settings/readPromptscopeSettings';
import { reasoningTrace, formatTrace } from '../../src/core/reasoning/reasoningTrace';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import type { ChatMessage } from '../../src/core/prompt/chatMessages';

const question: ChatMessage[] = [{ role: 'user', text: 'What is 12 + 30 + 5?' }];

/**
 * Thoughts by the state they extend (a table, or a function of the state's thoughts joined by " | "); values: a state
 * whose last thought contains "good" is sure, "bad" impossible, any other likely.
 */
function scripted(thoughtsAfter: Record<string, string[]> | ((key: string) => string[])): ThoughtModel & { asked: string[] } {
    const asked: string[] = [];
    return {
        asked,
        async sampleThoughts(messages) {
            const steps = /Steps so far:\n([\s\S]*)\nWrite only/.exec(messages.at(-1)!.text)![1]!;
            const key = steps === '(none yet)' ? '' : steps.split('\n').map(l => l.replace(/^\d+\. /, '')).join(' | ');
            asked.push(key);
            return typeof thoughtsAfter === 'function' ? thoughtsAfter(key) : thoughtsAfter[key] ?? [];
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

const answered = (thoughts: readonly string[]) => /answer is \d+/.test(thoughts.at(-1) ?? '');

test('depth-first: the best child first; a branch whose children are all pruned is backtracked from; the first answer ends the search', async () => {
    const model = scripted({
        '': ['a1 good', 'a2 bad', 'a3'],
        // Every child of the first branch is judged impossible: pruned, so the search backtracks to a3.
        'a1 good': ['b1 bad', 'b2 bad'],
        'a3': ['c1 good', 'c2'],
        'a3 | c1 good': ['so the answer is 47 (good)', 'd2'],
    });
    const result = await treeOfThought(model, question, { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'value', search: 'depth' }, answered);
    assert.equal(result.search, 'depth');
    assert.deepEqual(result.best, ['a3', 'c1 good', 'so the answer is 47 (good)']);
    assert.deepEqual(model.asked, ['', 'a1 good', 'a3', 'a3 | c1 good'], 'a1 expanded first, then a3 after backtracking; nothing after the answer');
    assert.equal(result.expansions, 4);
    const shape = (step: number) => result.steps[step]!.map(n => [n.thought, n.parent, n.kept, n.visit, n.unexplored]);
    assert.deepEqual(shape(0), [['a1 good', -1, true, 1, undefined], ['a2 bad', -1, false, undefined, undefined], ['a3', -1, true, 2, undefined]]);
    // Parents index the previous step's visited states in visit order: a1 is 0, a3 is 1.
    assert.deepEqual(shape(1), [['b1 bad', 0, false, undefined, undefined], ['b2 bad', 0, false, undefined, undefined], ['c1 good', 1, true, 3, undefined], ['c2', 1, false, undefined, true]]);
    assert.deepEqual(shape(2), [['so the answer is 47 (good)', 0, true, 4, undefined], ['d2', 0, false, undefined, true]]);
    assert.ok(result.bestValue > 0.99);

    // The trace shows the visit order, the branch backtracked from, the pruned thoughts and those never reached.
    const trace = reasoningTrace({
        strategy: 'tree-of-thought', answer: '47', rawAnswer: '47', reasoning: '', tree: result,
        messages: [question], outputs: [], seed: 1, tokens: { prompt: 0, generated: 0 }, ms: 1,
    });
    const [a1, a2, a3] = trace.roots[0]!.children;
    assert.match(trace.roots[0]!.title, /^Search \(depth-first, 4 expanded\): 3 steps/);
    assert.deepEqual([a1!.status, a1!.visit, a2!.status, a3!.status, a3!.visit], ['backtracked', 1, 'pruned', 'best', 2]);
    assert.deepEqual(a1!.children.map(n => n.status), ['pruned', 'pruned']);
    assert.deepEqual(a3!.children.map(n => [n.text, n.status]), [['c1 good', 'best'], ['c2', 'unexplored']]);
    const [answer, d2] = a3!.children[0]!.children;
    assert.match(answer!.title, /^#4 so the answer is 47 \(good\) \(0\.99\d\)$/);
    assert.deepEqual([answer!.status, d2!.title, d2!.status], ['best', 'd2 (0.500)', 'unexplored']);
    const text = formatTrace(trace);
    assert.match(text, /↩ #1 a1 good \(0\.99\d\) \[backtracked\]\n {4}✗ b1 bad \(0\.00\d\) \[pruned\]/);
    assert.match(text, /○ c2 \(0\.500\) \[unexplored\]/);
});

test('depth-first: a branch that reaches maxDepth without an answer is backtracked from', async () => {
    const model = scripted({ '': ['x', 'y'], 'x': ['x deep'], 'y': ['the answer is 5'] });
    const result = await treeOfThought(model, question, { thoughts: 2, beamWidth: 2, maxDepth: 2, evaluator: 'value', search: 'depth' }, answered);
    assert.deepEqual(model.asked, ['', 'x', 'y'], 'x deep is at maxDepth: not expanded');
    assert.deepEqual(result.best, ['y', 'the answer is 5']);
    assert.deepEqual(result.steps[1]!.map(n => [n.thought, n.parent, n.visit]), [['x deep', 0, 2], ['the answer is 5', 1, 4]]);
});

test('depth-first: the expansion budget (beamWidth × maxDepth) holds on a tree of dead ends; the best is the deepest state', async () => {
    // Every state has fresh, likely-valued children and none states an answer: unbounded, depth 4 would be 1 + 3 + 9 + 27 expansions.
    const model = scripted(key => ['p', 'q', 'r'].map(t => `${key === '' ? '' : `${key.split(' | ').at(-1)}.`}${t}`));
    for (const [beamWidth, maxDepth] of [[1, 3], [2, 4], [3, 3]] as const) {
        model.asked.length = 0;
        const result = await treeOfThought(model, question, { thoughts: 3, beamWidth, maxDepth, evaluator: 'value', search: 'depth' }, () => false);
        assert.equal(result.expansions, beamWidth * maxDepth, `beam ${beamWidth}, depth ${maxDepth}`);
        assert.equal(model.asked.length, beamWidth * maxDepth, 'no thoughts sampled past the budget');
        assert.equal(result.best.length, maxDepth, 'the deepest state visited');
        assert.deepEqual(result.best.slice(0, 2), ['p', 'p.p'].slice(0, maxDepth));
    }
});

test('depth-first with the vote evaluator: candidates under half an even share of the vote are pruned; pruneBelow overrides', async () => {
    const model = scripted({ '': ['p', 'q good', 'r'], 'q good': ['answer is 3 good'] });
    const result = await treeOfThought(model, question, { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'vote', search: 'depth' }, answered);
    assert.deepEqual(result.steps[0]!.map(n => [n.thought, n.kept, n.unexplored]), [['p', false, undefined], ['q good', true, undefined], ['r', false, undefined]]);
    assert.deepEqual(result.best, ['q good', 'answer is 3 good']);
    // With nothing pruned, the losing candidates are left unexplored once the answer is found.
    const lenient = await treeOfThought(scripted({ '': ['p', 'q good', 'r'], 'q good': ['answer is 3 good'] }), question,
        { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'vote', search: 'depth', pruneBelow: 0 }, answered);
    assert.deepEqual(lenient.steps[0]!.map(n => n.unexplored), [true, undefined, true]);
});

test('promptscope.tot search and pruneBelow: read, and bad values named with the fix', () => {
    const read = (tot: unknown) => readPromptscopeSettings({ 'promptscope.tot': tot });
    assert.deepEqual(read({ search: 'depth', pruneBelow: 0.4 }).settings.tot, { search: 'depth', pruneBelow: 0.4 });
    assert.deepEqual(read({ search: 'breadth' }).settings.tot, { search: 'breadth' });
    assert.match(read({ search: 'dfs' }).issues[0]!.message, /`promptscope\.tot` search must be breadth or depth; got "dfs"\./);
    assert.match(read({ search: 'depth', pruneBelow: 1.5 }).issues[0]!.message, /pruneBelow must be a number from 0 to 1 \(a state's value\); got 1\.5\./);
    assert.match(read({ search: 'depth', pruneBelow: 'high' }).issues[0]!.message, /pruneBelow must be a number from 0 to 1/);
    assert.match(read({ pruneBelow: 0.3 }).issues[0]!.message, /pruneBelow applies to depth-first search only; add `search: depth` or remove pruneBelow\./);
    assert.match(read({ depthFirst: true }).issues[0]!.message, /has no key `depthFirst`; its keys are thoughts, beamWidth, maxDepth, evaluator, search and pruneBelow\./);
});

test('the strategy, depth-first, with samples 2: two whole searches voted, each its own depth-first tree', async () => {
    const run = { messages: question, sampling: {}, settings: { samples: 2, tot: { thoughts: 2, beamWidth: 1, maxDepth: 2, search: 'depth' } }, lora: [], file: undefined } as unknown as PromptRun;
    let batches = 0;
    const model: StrategyModel = {
        async chat() { return { text: ' 47.', seed: 1, timing: { promptTokens: 1, generatedTokens: 1 } }; },
        async chatMany() {
            batches++;
            return { paths: ['step one', 'step two'].map((text, i) => ({ text, meanLogprob: -1, seed: i })), seed: 1, timing: { promptTokens: 3, generatedTokens: 4 } };
        },
        async scoreContinuations(request) { return { scores: request.continuations.map((text, i) => ({ text, logprob: -i })) }; },
    };
    const outcome = await executeStrategy(model, run, { strategy: 'tree-of-thought', flags: {}, seed: 9 });
    assert.equal(outcome.answer, '47');
    assert.deepEqual(outcome.votes, { 47: 2 });
    assert.deepEqual(outcome.searches!.map(s => [s.tree.search, s.tree.expansions]), [['depth', 2], ['depth', 2]]);
    assert.equal(batches, 4, 'each search stops at its budget of beamWidth × maxDepth = 2 expansions');
    assert.notEqual(outcome.searches![0]!.seed, outcome.searches![1]!.seed);
    assert.match(reasoningTrace(outcome).roots[1]!.title, /^Search 2 \(depth-first, 2 expanded\)/);
});
