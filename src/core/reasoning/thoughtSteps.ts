import type { ChatMessage } from '../prompt/chatMessages';
import { appendToLastUser } from './appendToLastUser';
import { labelDistribution } from './labelDistribution';
import type { ThoughtModel, TreeOfThoughtEvaluator } from './treeOfThought';

/*
 * What breadth- and depth-first tree-of-thought share: the turns that ask for a step and for its value, the distinct
 * thoughts one state yields, and how the evaluator values them.
 */

/** The value labels and what each is worth (the paper's sure / likely / impossible, scaled to 0…1). */
const valueLabels: Record<string, number> = { sure: 1, likely: 0.5, impossible: 0 };

/**
 * The `value` evaluator's default pruning threshold: halfway between `impossible` (0) and `likely` (0.5), so a state
 * is pruned when the evaluator's judgement leans nearer to impossible than to likely.
 */
export const valuePruneBelow = 0.25;

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

/** The states one state leads to: `n` sampled continuations, each cut to its first non-empty line. */
export async function nextStates(model: ThoughtModel, question: readonly ChatMessage[], thoughts: readonly string[], n: number): Promise<string[][]> {
    const seen = new Set<string>();
    const states: string[][] = [];
    for (const raw of await model.sampleThoughts(nextThoughtMessages(question, thoughts), n)) {
        const thought = raw.split('\n').map(line => line.trim()).find(line => line !== '') ?? '';
        // An empty or repeated thought adds no state.
        if (thought === '' || seen.has(thought)) continue;
        seen.add(thought);
        states.push([...thoughts, thought]);
    }
    return states;
}

/**
 * Each candidate state's value, 0…1: with `value`, the expected worth of the evaluator's label (sure 1, likely 0.5,
 * impossible 0) under its label probabilities; with `vote`, the candidate's share of one vote over all of them.
 */
export async function stateValues(model: ThoughtModel, question: readonly ChatMessage[], evaluator: TreeOfThoughtEvaluator, candidates: string[][]): Promise<number[]> {
    if (evaluator === 'vote') {
        const numbers = candidates.map((_, i) => String(i + 1));
        const logprobs = await model.score(voteMessages(question, candidates), numbers);
        return labelDistribution(Object.fromEntries(numbers.map((n, i) => [n, [logprobs[i]!]]))).map(s => s.probability);
    }
    return Promise.all(candidates.map(async thoughts => {
        const labels = Object.keys(valueLabels);
        const logprobs = await model.score(valueMessages(question, thoughts), labels);
        const distribution = labelDistribution(Object.fromEntries(labels.map((l, i) => [l, [logprobs[i]!]])));
        return distribution.reduce((sum, s) => sum + s.probability * valueLabels[s.label]!, 0);
    }));
}

/**
 * The value below which depth-first search prunes a state when `pruneBelow` is not set, on the evaluator's own
 * scale: `value` 0.25 (nearer impossible than likely); `vote` half of an even share among the `candidates` voted on,
 * because vote shares sum to 1 and so shrink as there are more candidates: a fixed number would prune everything
 * among eight thoughts and nothing among two.
 */
export function defaultPruneBelow(evaluator: TreeOfThoughtEvaluator, candidates: number): number {
    return evaluator === 'vote' ? 0.5 / Math.max(1, candidates) : valuePruneBelow;
}
