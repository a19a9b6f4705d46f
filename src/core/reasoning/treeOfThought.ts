import type { ChatMessage } from '../prompt/chatMessages';
import { depthFirstThoughts } from './depthFirstThoughts';
import { nextStates, stateValues } from './thoughtSteps';

export { nextThoughtMessages, valueMessages, voteMessages } from './thoughtSteps';

/** How states are valued (see TreeOfThoughtSettings.evaluator). */
export type TreeOfThoughtEvaluator = 'value' | 'vote';

/** How the tree is searched (see TreeOfThoughtSettings.search). */
export type TreeOfThoughtSearch = 'breadth' | 'depth';

export const treeOfThoughtSearches: readonly TreeOfThoughtSearch[] = ['breadth', 'depth'];

/** Tree-of-thought settings (`promptscope.tot`, Yao et al. 2023). */
export interface TreeOfThoughtSettings {
    /** Thoughts sampled from each expanded state. Defaults to 3. */
    thoughts?: number;
    /**
     * Breadth-first: states kept after each step (the beam). Depth-first: the search's budget, at most
     * `beamWidth × maxDepth` states expanded, about what breadth-first may expand with the same settings. Defaults to 2.
     */
    beamWidth?: number;
    /** Steps at most. Defaults to 3. */
    maxDepth?: number;
    /**
     * How states are valued: `value` asks, for each state, whether it can still reach the answer (sure / likely /
     * impossible, scored by label probability); `vote` shows all candidates at once and scores which one is most
     * promising. Defaults to `value`.
     */
    evaluator?: TreeOfThoughtEvaluator;
    /**
     * `breadth` values every step's candidates and keeps the `beamWidth` best; `depth` follows the best-valued child
     * first down to `maxDepth`, backtracking past pruned states and branches that end without an answer, and stops at
     * the first state that states one. Defaults to `breadth`.
     */
    search?: TreeOfThoughtSearch;
    /**
     * Depth-first only: a state valued below this (0…1) is pruned, never expanded. Defaults to 0.25 with the `value`
     * evaluator (judged nearer impossible than likely) and, with `vote`, to half of an even share of the vote
     * (0.5 / the candidates voted on).
     */
    pruneBelow?: number;
}

/** The settings a search runs with: every key but the optional depth-first ones filled in. */
export type TreeOfThoughtSearchSettings = Required<Omit<TreeOfThoughtSettings, 'search' | 'pruneBelow'>> & Pick<TreeOfThoughtSettings, 'search' | 'pruneBelow'>;

export const treeOfThoughtDefaults = { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'value', search: 'breadth' } as const;

/** The most thoughts per state, states kept or steps one run may take. */
export const treeOfThoughtLimits = { thoughts: 8, beamWidth: 8, maxDepth: 8 } as const;

/** What a tree search needs of the model: thoughts sampled from a shared prefix, and label probabilities. */
export interface ThoughtModel {
    /** `n` one-line continuations of `messages`, sampled in one batch sharing the prompt. */
    sampleThoughts(messages: ChatMessage[], n: number): Promise<string[]>;
    /** log P(continuation | messages) for each continuation. */
    score(messages: ChatMessage[], continuations: string[]): Promise<number[]>;
}

export interface ThoughtNode {
    /**
     * Index of the parent among the previous step's kept states (−1: the root), in the order the search kept them:
     * breadth-first by value (best first; ties: first generated), depth-first in visit order.
     */
    parent: number;
    thought: string;
    value: number;
    /** Breadth-first: in the beam. Depth-first: visited (then `visit` says when). */
    kept: boolean;
    /** Depth-first: the order in which the search visited this state, 1 first. */
    visit?: number;
    /** Depth-first: valued above the threshold but never visited, because the search ended first. */
    unexplored?: boolean;
}

export interface TreeOfThoughtResult {
    /** How the tree was searched; absent in results recorded before depth-first search existed (breadth-first). */
    search?: TreeOfThoughtSearch;
    /** The best state's thoughts, in order. */
    best: string[];
    bestValue: number;
    /**
     * Every step's candidates with their values: breadth-first, the `kept` ones form the next step's states, in their
     * order; depth-first, a step holds the children of every state of the step before that was expanded, in visit order.
     */
    steps: ThoughtNode[][];
    /** States whose next thoughts were sampled (the root included). */
    expansions?: number;
}

/**
 * Tree-of-thought search: breadth-first (below) unless `settings.search` is `depth` (depthFirstThoughts). `isFinal`
 * says whether a state's thoughts state an answer, which ends the search.
 */
export async function treeOfThought(model: ThoughtModel, question: readonly ChatMessage[], settings: TreeOfThoughtSearchSettings,
    isFinal: (thoughts: readonly string[]) => boolean, signal?: AbortSignal): Promise<TreeOfThoughtResult> {
    if (settings.search === 'depth') return depthFirstThoughts(model, question, settings, isFinal, signal);
    return breadthFirst(model, question, settings, isFinal, signal);
}

/**
 * Breadth-first: from each kept state, `thoughts` next steps are sampled (one batch sharing the prefix); every new
 * state is valued by the evaluator; the `beamWidth` best are kept (ties: first generated); until `maxDepth` steps or
 * `isFinal` says a kept state holds an answer.
 */
async function breadthFirst(model: ThoughtModel, question: readonly ChatMessage[], settings: TreeOfThoughtSearchSettings,
    isFinal: (thoughts: readonly string[]) => boolean, signal?: AbortSignal): Promise<TreeOfThoughtResult> {
    let states: { thoughts: string[]; value: number }[] = [{ thoughts: [], value: 1 }];
    const steps: ThoughtNode[][] = [];
    let expansions = 0;
    for (let depth = 0; depth < settings.maxDepth && !signal?.aborted; depth++) {
        const candidates: { parent: number; thoughts: string[] }[] = [];
        for (const [parent, state] of states.entries()) {
            expansions++;
            for (const thoughts of await nextStates(model, question, state.thoughts, settings.thoughts)) candidates.push({ parent, thoughts });
        }
        if (candidates.length === 0) break;
        const values = await stateValues(model, question, settings.evaluator, candidates.map(c => c.thoughts));
        const order = candidates.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
        const kept = new Set(order.slice(0, settings.beamWidth));
        steps.push(candidates.map((c, i) => ({ parent: c.parent, thought: c.thoughts.at(-1)!, value: values[i]!, kept: kept.has(i) })));
        states = order.slice(0, settings.beamWidth).map(i => ({ thoughts: candidates[i]!.thoughts, value: values[i]! }));
        if (states.some(s => isFinal(s.thoughts))) break;
    }
    const best = states.find(s => isFinal(s.thoughts)) ?? states[0]!;
    return { search: 'breadth', best: best.thoughts, bestValue: best.value, steps, expansions };
}
