import type { ChatMessage } from '../prompt/chatMessages';
import { appendToLastUser } from './appendToLastUser';
import { labelDistribution } from './labelDistribution';

/** Tree-of-thought settings (`promptscope.tot`, Yao et al. 2023), breadth-first with a beam. */
export interface TreeOfThoughtSettings {
    /** Thoughts sampled from each kept state at each step. Defaults to 3. */
    thoughts?: number;
    /** States kept after each step (the beam). Defaults to 2. */
    beamWidth?: number;
    /** Steps at most. Defaults to 3. */
    maxDepth?: number;
    /**
     * How states are valued: `value` asks, for each state, whether it can still reach the answer (sure / likely /
     * impossible, scored by label probability); `vote` shows all candidates at once and scores which one is most
     * promising. Defaults to `value`.
     */
    evaluator?: 'value' | 'vote';
}

export const treeOfThoughtDefaults = { thoughts: 3, beamWidth: 2, maxDepth: 3, evaluator: 'value' } as const;

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
    /** Index of the parent among the previous step's kept states (−1: the root). */
    parent: number;
    thought: string;
    value: number;
    kept: boolean;
}

export interface TreeOfThoughtResult {
    /** The best state's thoughts, in order. */
    best: string[];
    bestValue: number;
    /** Every step's candidates with their values; `kept` ones form the next step's states, in their order. */
    steps: ThoughtNode[][];
}

/** The value labels and what each is worth (the paper's sure / likely / impossible, scaled to 0…1). */
const valueLabels: Record<string, number> = { sure: 1, likely: 0.5, impossible: 0 };

/** The conversation that asks for the next step after `thoughts`. */
export function nextThoughtMessages(question: readonly ChatMessage[], thoughts: readonly string[]): ChatMessage[] {
    const steps = thoughts.length === 0 ? '(none yet)' : thoughts.map((t, i) => `${i + 1}. ${t}`).join('\n');
    return appendToLastUser(question, `\n\nSteps so far:\n${steps}\nWrite only the next step, on one line.`);
}

/** The conversation that asks whether `thoughts` can still reach a correct answer (its reply is one value label). */
export function valueMessages(question: readonly ChatMessage[], thoughts: readonly string[]): ChatMessage[] {
    return appendToLastUser(question, `\n\nPartial solution:\n${thoughts.map((t, i) => `${i + 1}. ${t}`).join('\n')}\n`
        + 'Can this partial solution still reach a correct answer? Answer sure, likely or impossible.');
}

/** The conversation that asks which candidate is most promising (its reply is a candidate's number). */
export function voteMessages(question: readonly ChatMessage[], candidates: readonly string[][]): ChatMessage[] {
    const listed = candidates.map((c, i) => `Candidate ${i + 1}:\n${c.map((t, j) => `  ${j + 1}. ${t}`).join('\n')}`).join('\n');
    return appendToLastUser(question, `\n\n${listed}\nWhich candidate is most promising? Answer with its number.`);
}

/**
 * Breadth-first tree-of-thought search: from each kept state, `thoughts` next steps are sampled (one batch sharing
 * the prefix); every new state is valued by the evaluator; the `beamWidth` best are kept (ties: first generated);
 * until `maxDepth` steps or `isFinal` says a kept state holds an answer.
 */
export async function treeOfThought(model: ThoughtModel, question: readonly ChatMessage[], settings: Required<TreeOfThoughtSettings>,
    isFinal: (thoughts: readonly string[]) => boolean, signal?: AbortSignal): Promise<TreeOfThoughtResult> {
    let states: { thoughts: string[]; value: number }[] = [{ thoughts: [], value: 1 }];
    const steps: ThoughtNode[][] = [];
    for (let depth = 0; depth < settings.maxDepth && !signal?.aborted; depth++) {
        const candidates: { parent: number; thoughts: string[] }[] = [];
        for (const [parent, state] of states.entries()) {
            const seen = new Set<string>();
            for (const raw of await model.sampleThoughts(nextThoughtMessages(question, state.thoughts), settings.thoughts)) {
                const thought = raw.split('\n').map(line => line.trim()).find(line => line !== '') ?? '';
                // An empty or repeated thought adds no state.
                if (thought === '' || seen.has(thought)) continue;
                seen.add(thought);
                candidates.push({ parent, thoughts: [...state.thoughts, thought] });
            }
        }
        if (candidates.length === 0) break;
        const values = settings.evaluator === 'vote'
            ? await voteValues(model, question, candidates.map(c => c.thoughts))
            : await Promise.all(candidates.map(async c => stateValue(model, question, c.thoughts)));
        const order = candidates.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
        const kept = new Set(order.slice(0, settings.beamWidth));
        steps.push(candidates.map((c, i) => ({ parent: c.parent, thought: c.thoughts.at(-1)!, value: values[i]!, kept: kept.has(i) })));
        states = order.slice(0, settings.beamWidth).map(i => ({ thoughts: candidates[i]!.thoughts, value: values[i]! }));
        if (states.some(s => isFinal(s.thoughts))) break;
    }
    const best = states.find(s => isFinal(s.thoughts)) ?? states[0]!;
    return { best: best.thoughts, bestValue: best.value, steps };
}

async function stateValue(model: ThoughtModel, question: readonly ChatMessage[], thoughts: string[]): Promise<number> {
    const labels = Object.keys(valueLabels);
    const logprobs = await model.score(valueMessages(question, thoughts), labels);
    const distribution = labelDistribution(Object.fromEntries(labels.map((l, i) => [l, [logprobs[i]!]])));
    return distribution.reduce((sum, s) => sum + s.probability * valueLabels[s.label]!, 0);
}

async function voteValues(model: ThoughtModel, question: readonly ChatMessage[], candidates: string[][]): Promise<number[]> {
    const numbers = candidates.map((_, i) => String(i + 1));
    const logprobs = await model.score(voteMessages(question, candidates), numbers);
    return labelDistribution(Object.fromEntries(numbers.map((n, i) => [n, [logprobs[i]!]]))).map(s => s.probability);
}
