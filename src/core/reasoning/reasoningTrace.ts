import { traceStatusMarks, type ReasoningTrace, type TraceNode, type TraceThoughtStatus, type TraceVote } from '../../shared/reasoningTrace';
import type { OutcomeChain, OutcomeProgram, OutcomeSearch, StrategyOutcome } from './executeStrategy';
import type { SelfAskStep } from './selfAsk';
import type { ThoughtNode, TreeOfThoughtResult } from './treeOfThought';

type Draft = Omit<TraceNode, 'id' | 'children'> & { children?: Draft[] };

/**
 * The reasoning trace of a strategy's outcome (see ReasoningTrace): the one model behind `--json`'s `trace`, the
 * editor's output document and trace panel, and the evaluation panel's rows.
 */
export function reasoningTrace(outcome: StrategyOutcome): ReasoningTrace {
    const roots = rootsOf(outcome);
    return {
        strategy: outcome.strategy, answer: outcome.answer ?? null,
        ...(outcome.votes !== undefined ? { vote: voteOf(outcome) } : {}),
        roots: roots.map((draft, i) => withIds(draft, String(i))),
    };
}

function rootsOf(outcome: StrategyOutcome): Draft[] {
    switch (outcome.strategy) {
        case 'direct':
            return [{ kind: 'output', title: 'Output', text: outcome.output ?? '', answer: outcome.answer ?? null }];
        case 'cot':
            return [
                { kind: 'reasoning', title: 'Reasoning', text: outcome.reasoning ?? '' },
                { kind: 'output', title: 'Answer turn', text: outcome.output ?? '', answer: outcome.answer ?? null },
            ];
        case 'self-consistency':
            return (outcome.paths ?? []).map((p, i) => ({
                kind: 'path', title: `Path ${i + 1} → ${p.answer ?? 'unmapped'}`, text: p.text, answer: p.answer ?? null,
                ...(p.seed !== undefined ? { seed: p.seed } : {}),
            }));
        case 'ensemble':
            return (outcome.variants ?? []).map(v => ({ kind: 'variant', title: `${v.file} → ${v.answer ?? 'unmapped'}`, text: v.text, answer: v.answer ?? null }));
        case 'program-aided':
            return (outcome.programs ?? []).map(programNode);
        case 'self-ask': {
            const chains: OutcomeChain[] = outcome.chains
                ?? [{ followUps: outcome.followUps ?? [], output: outcome.output ?? '', answer: outcome.answer, rawAnswer: outcome.rawAnswer, seed: outcome.seed }];
            return chains.map((chain, i) => chainNode(chain, i, chains.length));
        }
        case 'tree-of-thought': {
            const searches: OutcomeSearch[] = outcome.searches
                ?? (outcome.tree ? [{ tree: outcome.tree, reasoning: outcome.reasoning ?? '', answer: outcome.answer, rawAnswer: outcome.rawAnswer, seed: outcome.seed, ...answerTurnOf(outcome) }] : []);
            return searches.map((search, i) => searchNode(search, i, searches.length));
        }
    }
}

/** A single search's answer turn: the last output when a turn after the steps asked for the answer. */
function answerTurnOf(outcome: StrategyOutcome): { answerTurn?: string } {
    return outcome.messages.length > 1 && outcome.outputs.length > 0 ? { answerTurn: outcome.outputs.at(-1)! } : {};
}

function voteOf(outcome: StrategyOutcome): TraceVote {
    return {
        votes: outcome.votes ?? {}, agreement: outcome.agreement ?? 0, tie: outcome.tie ?? false, tied: outcome.tied ?? [],
        unmapped: outcome.unmapped ?? 0, weighting: outcome.weighting ?? 'count',
        ...(outcome.weighting === 'probability' && outcome.weights !== undefined ? { weights: outcome.weights } : {}),
    };
}

function programNode(program: OutcomeProgram, index: number): Draft {
    const children: Draft[] = [{ kind: 'printed', title: program.printed.length === 0 ? 'Printed nothing' : `Printed ${program.printed.length} line${program.printed.length === 1 ? '' : 's'}`, text: program.printed.join('\n') }];
    if (program.failure) children.push({ kind: 'error', title: `${program.failure.kind}: ${program.failure.message}`, text: program.failure.message, failure: program.failure });
    return {
        kind: 'program', title: `Program ${index + 1} (${Math.round(program.ms)} ms) → ${program.failure ? `failed (${program.failure.kind})` : program.answer ?? 'unmapped'}`,
        text: program.code, answer: program.answer ?? null, ...(program.failure ? { failure: program.failure } : {}), children,
    };
}

function chainNode(chain: OutcomeChain, index: number, count: number): Draft {
    const children: Draft[] = chain.followUps.map((step, i) => followUpNode(step, i));
    children.push({ kind: 'final', title: `Final: ${firstLine(chain.output)}`, text: chain.output, answer: chain.answer ?? null });
    return {
        kind: 'chain', title: `${count > 1 ? `Chain ${index + 1}` : 'Chain'}: ${chain.followUps.length} follow-up${chain.followUps.length === 1 ? '' : 's'} → ${chain.answer ?? 'unmapped'}`,
        answer: chain.answer ?? null, ...(chain.seed !== undefined ? { seed: chain.seed } : {}), children,
    };
}

function followUpNode(step: SelfAskStep, index: number): Draft {
    const { passage } = step;
    const answer: Draft = {
        kind: 'intermediate', title: `${passage ? 'Retrieved' : 'Answer'}: ${firstLine(step.answer)}`, text: step.answer,
        ...(passage ? { passage: { file: passage.file, startLine: passage.startLine, endLine: passage.endLine, score: passage.score } } : {}),
    };
    return { kind: 'followUp', title: `Follow-up ${index + 1}: ${step.question}`, text: step.question, children: [answer] };
}

function searchNode(search: OutcomeSearch, index: number, count: number): Draft {
    const children = thoughtForest(search.tree);
    if (search.answerTurn !== undefined) children.push({ kind: 'final', title: `Answer turn: ${firstLine(search.answerTurn)}`, text: search.answerTurn, answer: search.answer ?? null });
    return {
        kind: 'search', title: `${count > 1 ? `Search ${index + 1}` : 'Search'}${search.tree.search === 'depth' ? ` (depth-first, ${search.tree.expansions ?? 0} expanded)` : ''}: ${search.tree.steps.length} step${search.tree.steps.length === 1 ? '' : 's'}, best value ${search.tree.bestValue.toFixed(3)} → ${search.answer ?? 'unmapped'}`,
        text: search.reasoning, answer: search.answer ?? null, ...(search.seed !== undefined ? { seed: search.seed } : {}), children,
    };
}

/**
 * The search's steps as a tree: each step's candidates under the kept state they extend. A node's `parent` indexes the
 * previous step's kept states in the order the search kept them: breadth-first by value (best first; ties: first
 * generated), depth-first in visit order (each visited thought's title starts with its visit number).
 */
function thoughtForest(tree: TreeOfThoughtResult): Draft[] {
    const depthFirst = tree.search === 'depth';
    const roots: Draft[] = [];
    let keptStates: { draft: Draft; thoughts: string[] }[] = [];
    tree.steps.forEach((step, depth) => {
        const made = step.map((node, i) => {
            const parent = depth === 0 ? undefined : keptStates[node.parent];
            const thoughts = [...(parent?.thoughts ?? []), node.thought];
            const best = thoughts.length <= tree.best.length && thoughts.every((t, j) => t === tree.best[j]) && node.kept;
            const draft: Draft = {
                kind: 'thought', title: `${node.visit === undefined ? '' : `#${node.visit} `}${node.thought} (${node.value.toFixed(3)})`, text: node.thought,
                value: node.value, status: best ? 'best' : thoughtStatus(node, depthFirst), ...(node.visit === undefined ? {} : { visit: node.visit }),
            };
            (parent ? (parent.draft.children ??= []) : roots).push(draft);
            return { draft, thoughts, index: i, node };
        });
        keptStates = made.filter(m => m.node.kept).sort(depthFirst
            ? (a, b) => a.node.visit! - b.node.visit!
            : (a, b) => b.node.value - a.node.value || a.index - b.index)
            .map(m => ({ draft: m.draft, thoughts: m.thoughts }));
    });
    return roots;
}

/** A thought off the best path: depth-first, a visited one was backtracked from; breadth-first, a kept one stayed in the beam. */
function thoughtStatus(node: ThoughtNode, depthFirst: boolean): TraceThoughtStatus {
    if (node.kept) return depthFirst ? 'backtracked' : 'kept';
    return node.unexplored ? 'unexplored' : 'pruned';
}

function firstLine(text: string): string {
    const line = text.trim().split('\n')[0] ?? '';
    return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function withIds(draft: Draft, id: string): TraceNode {
    const { children = [], ...rest } = draft;
    return { id, ...rest, children: children.map((child, i) => withIds(child, `${id}.${i}`)) };
}

/**
 * The trace's tree as indented text (the answer and votes are said elsewhere): the editor's output document and
 * `promptscope run`'s report of chains and searches.
 */
export function formatTrace(trace: ReasoningTrace): string {
    const lines: string[] = [];
    const walk = (node: TraceNode, depth: number) => {
        const pad = '  '.repeat(depth);
        const mark = node.status === undefined ? '' : `${traceStatusMarks[node.status]} `;
        const facts = [
            node.seed !== undefined ? `seed ${node.seed}` : undefined,
            node.passage ? `retrieved ${node.passage.file}:${node.passage.startLine}-${node.passage.endLine}, score ${node.passage.score.toFixed(3)}` : undefined,
            node.status === 'pruned' || node.status === 'backtracked' || node.status === 'unexplored' ? node.status : undefined,
        ].filter(f => f !== undefined);
        lines.push(`${pad}${mark}${node.title}${facts.length > 0 ? ` [${facts.join('; ')}]` : ''}`);
        // Texts a title already shows whole are not repeated; longer ones follow, indented.
        if (node.text !== undefined && node.text !== '' && !node.title.endsWith(node.text) && node.kind !== 'thought' && node.kind !== 'followUp') {
            for (const line of node.text.split('\n')) lines.push(`${pad}  │ ${line}`);
        }
        for (const child of node.children) walk(child, depth + 1);
    };
    for (const root of trace.roots) walk(root, 0);
    return lines.join('\n') + '\n';
}
