import type { ChatMessage } from '../prompt/chatMessages';
import { defaultPruneBelow, nextStates, stateValues } from './thoughtSteps';
import type { ThoughtModel, ThoughtNode, TreeOfThoughtResult, TreeOfThoughtSearchSettings } from './treeOfThought';

interface State {
    thoughts: string[];
    value: number;
    visit: number;
}

/**
 * Depth-first tree-of-thought search (Yao et al. 2023's DFS): a state's `thoughts` children are sampled in one batch
 * and valued together; those valued below `pruneBelow` are pruned, the rest are visited best first (ties: first
 * generated). A visited state that states an answer (`isFinal`) ends the search; one at `maxDepth` that does not, or
 * whose children are all pruned, is backtracked from, and the next sibling is tried. At most `beamWidth × maxDepth`
 * states are expanded, so a tree of dead ends cannot run away: that is `beamWidth` full descents, and about what
 * breadth-first with the same settings may expand.
 *
 * When no visited state states an answer, the best is the deepest one visited (ties: the higher value, then the
 * first visited), as breadth-first ends on its best state at its last step; the caller then asks for the answer.
 */
export async function depthFirstThoughts(model: ThoughtModel, question: readonly ChatMessage[], settings: TreeOfThoughtSearchSettings,
    isFinal: (thoughts: readonly string[]) => boolean, signal?: AbortSignal): Promise<TreeOfThoughtResult> {
    const budget = settings.beamWidth * settings.maxDepth;
    const steps: ThoughtNode[][] = [];
    // Per step, how many of its states were visited so far: a visited state's index there is its children's `parent`.
    const visitedAt: number[] = [];
    let visits = 0;
    let expansions = 0;
    let answered: State | undefined;
    let fallback: State = { thoughts: [], value: 1, visit: 0 };

    /** Expands the state `thoughts` (the `parent`-th visited at its step) and searches under it; true ends the search. */
    const expand = async (thoughts: string[], parent: number): Promise<boolean> => {
        if (expansions >= budget || signal?.aborted) return true;
        expansions++;
        const children = await nextStates(model, question, thoughts, settings.thoughts);
        if (children.length === 0) return false;
        const values = await stateValues(model, question, settings.evaluator, children);
        const threshold = settings.pruneBelow ?? defaultPruneBelow(settings.evaluator, children.length);
        const depth = thoughts.length;
        const nodes: ThoughtNode[] = children.map((c, i) => ({
            parent, thought: c.at(-1)!, value: values[i]!, kept: false, ...(values[i]! < threshold ? {} : { unexplored: true }),
        }));
        (steps[depth] ??= []).push(...nodes);
        const order = children.map((_, i) => i).filter(i => values[i]! >= threshold).sort((a, b) => values[b]! - values[a]! || a - b);
        for (const i of order) {
            const node = nodes[i]!;
            const state: State = { thoughts: children[i]!, value: values[i]!, visit: ++visits };
            node.kept = true;
            node.visit = state.visit;
            delete node.unexplored;
            const index = visitedAt[depth] ?? 0;
            visitedAt[depth] = index + 1;
            if (isFinal(state.thoughts)) {
                answered = state;
                return true;
            }
            if (deeperOrBetter(state, fallback)) fallback = state;
            if (state.thoughts.length < settings.maxDepth && await expand(state.thoughts, index)) return true;
        }
        return false;
    };

    await expand([], -1);
    const best = answered ?? fallback;
    return { search: 'depth', best: best.thoughts, bestValue: best.value, steps, expansions };
}

function deeperOrBetter(state: State, than: State): boolean {
    return state.thoughts.length > than.thoughts.length || (state.thoughts.length === than.thoughts.length && state.value > than.value);
}
