// The reasoning trace model: one typed forest for every strategy, built from the outcome alone: self-ask chains with
// their follow-ups and retrieved passages, tree-of-thought searches with each step's thoughts under the state they
// extend (values, kept, pruned, best), programs with their output and errors, and the vote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTrace, reasoningTrace } from '../../src/core/reasoning/reasoningTrace';
import type { StrategyOutcome } from '../../src/core/reasoning/executeStrategy';
import type { TraceNode } from '../../src/shared/reasoningTrace';

const base = { messages: [[]], outputs: [], seed: 1, tokens: { prompt: 0, generated: 0 }, ms: 1 } satisfies Partial<StrategyOutcome>;

function ids(nodes: readonly TraceNode[]): string[] {
    return nodes.flatMap(n => [n.id, ...ids(n.children)]);
}

test('self-ask: one chain per sample with follow-ups, their answers (retrieved ones with the passage) and the final text', () => {
    const trace = reasoningTrace({
        ...base, strategy: 'self-ask', answer: '14', votes: { 14: 1, 15: 1 }, agreement: 0.5, tie: true, tied: ['14', '15'], unmapped: 0, weighting: 'count',
        chains: [
            { followUps: [{ question: 'What is 3 + 4?', answer: '7', passage: { file: 'notes.md', startLine: 3, endLine: 9, score: 0.81, chunk: 2 } }], output: '14', answer: '14', rawAnswer: '14', seed: 11 },
            { followUps: [], output: '<img src=x onerror=alert(1)> 15', answer: '15', rawAnswer: '15', seed: 12 },
        ],
    });
    assert.equal(trace.strategy, 'self-ask');
    assert.equal(trace.answer, '14');
    assert.deepEqual(trace.vote, { votes: { 14: 1, 15: 1 }, agreement: 0.5, tie: true, tied: ['14', '15'], unmapped: 0, weighting: 'count' });
    assert.deepEqual(trace.roots.map(r => [r.kind, r.title, r.seed, r.answer]), [['chain', 'Chain 1: 1 follow-up → 14', 11, '14'], ['chain', 'Chain 2: 0 follow-ups → 15', 12, '15']]);
    const [followUp, final] = trace.roots[0]!.children;
    assert.deepEqual([followUp!.kind, followUp!.text, followUp!.id], ['followUp', 'What is 3 + 4?', '0.0']);
    assert.deepEqual(followUp!.children[0]!.passage, { file: 'notes.md', startLine: 3, endLine: 9, score: 0.81 });
    assert.equal(followUp!.children[0]!.title, 'Retrieved: 7');
    assert.deepEqual([final!.kind, final!.answer], ['final', '14']);
    // Model text is carried as it was written: escaping is the renderer's (text nodes only).
    assert.equal(trace.roots[1]!.children[0]!.text, '<img src=x onerror=alert(1)> 15');
    assert.equal(new Set(ids(trace.roots)).size, ids(trace.roots).length, 'node ids are unique');
    assert.match(formatTrace(trace), /Follow-up 1: What is 3 \+ 4\?\n {4}Retrieved: 7 \[retrieved notes\.md:3-9, score 0\.810\]/);

    // A single chain (no samples) is one root built from the outcome's own follow-ups.
    const single = reasoningTrace({ ...base, strategy: 'self-ask', answer: undefined, followUps: [{ question: 'Q?', answer: 'A' }], output: 'dunno' });
    assert.equal(single.roots.length, 1);
    assert.equal(single.roots[0]!.title, 'Chain: 1 follow-up → unmapped');
    assert.equal(single.vote, undefined);
    assert.equal(single.answer, null);
});

test('tree-of-thought: thoughts nested under the kept state they extend, in the order the beam kept them; pruned and best marked', () => {
    // Step 1 keeps b (0.9) before a (0.5): step 2's parent 0 is b, parent 1 is a.
    const tree = {
        best: ['b', 'b2'], bestValue: 0.8,
        steps: [
            [{ parent: -1, thought: 'a', value: 0.5, kept: true }, { parent: -1, thought: 'b', value: 0.9, kept: true }, { parent: -1, thought: 'c', value: 0.1, kept: false }],
            [{ parent: 0, thought: 'b2', value: 0.8, kept: true }, { parent: 1, thought: 'a2', value: 0.2, kept: false }, { parent: 0, thought: 'b3', value: 0.7, kept: true }],
        ],
    };
    const trace = reasoningTrace({ ...base, strategy: 'tree-of-thought', answer: '7', rawAnswer: '7', reasoning: '1. b\n2. b2', tree, messages: [[], []], outputs: ['x', ' 7.'] });
    assert.equal(trace.roots.length, 1);
    const search = trace.roots[0]!;
    assert.equal(search.kind, 'search');
    const [a, b, c, final] = search.children;
    assert.deepEqual([a!.text, a!.status, b!.text, b!.status, c!.text, c!.status], ['a', 'kept', 'b', 'best', 'c', 'pruned']);
    assert.deepEqual(b!.children.map(n => [n.text, n.status, n.value]), [['b2', 'best', 0.8], ['b3', 'kept', 0.7]]);
    assert.deepEqual(a!.children.map(n => [n.text, n.status]), [['a2', 'pruned']]);
    assert.deepEqual([final!.kind, final!.text, final!.answer], ['final', ' 7.', '7']);
    const text = formatTrace(trace);
    assert.match(text, /✗ c \(0\.100\) \[pruned\]/);
    assert.match(text, /★ b \(0\.900\)\n {4}★ b2 \(0\.800\)/);
});

test('program-aided: each program with its code, printed output and failure; every strategy has a trace', () => {
    const trace = reasoningTrace({
        ...base, strategy: 'program-aided', answer: '14', votes: { 14: 1 }, agreement: 0.5, tie: false, tied: ['14'], unmapped: 1,
        programs: [
            { code: 'print(14)', printed: ['14'], answer: '14', rawAnswer: '14', ms: 3 },
            { code: 'while (true) {}', printed: [], failure: { kind: 'timeout', message: 'ran past 1000 ms' }, answer: undefined, rawAnswer: undefined, ms: 1000 },
        ],
    });
    assert.deepEqual(trace.roots.map(r => [r.title, r.text, r.answer]), [['Program 1 (3 ms) → 14', 'print(14)', '14'], ['Program 2 (1000 ms) → failed (timeout)', 'while (true) {}', null]]);
    assert.deepEqual(trace.roots[1]!.children.map(c => c.kind), ['printed', 'error']);
    assert.deepEqual(trace.roots[1]!.children[1]!.failure, { kind: 'timeout', message: 'ran past 1000 ms' });
    assert.equal(trace.vote?.unmapped, 1);

    assert.deepEqual(reasoningTrace({ ...base, strategy: 'direct', answer: '3', output: 'It is 3' }).roots.map(r => [r.kind, r.text]), [['output', 'It is 3']]);
    assert.deepEqual(reasoningTrace({ ...base, strategy: 'cot', answer: '3', reasoning: 'think', output: '3' }).roots.map(r => r.kind), ['reasoning', 'output']);
    assert.deepEqual(reasoningTrace({
        ...base, strategy: 'self-consistency', answer: '3', votes: { 3: 1 }, agreement: 1, tie: false, tied: ['3'], unmapped: 0, weighting: 'probability', weights: { 3: 0.5 },
        paths: [{ text: 'so 3', answer: '3', rawAnswer: '3', meanLogprob: -0.7, seed: 4 }],
    }).vote?.weights, { 3: 0.5 });
    // JSON round trip: the trace is plain data (it crosses postMessage and goes into exports).
    assert.deepEqual(JSON.parse(JSON.stringify(trace)), trace);
});
