import type { BeamSearchStep, BeamTreeNode } from '../../shared/runtimeApi';
import type { BeamHypothesis, BeamSearchOutcome } from './beamSearch';

/** A node of a beam search as a search running elsewhere (the addon's beamSearchLoop.cc) reports it, in the order made. */
export interface FlatBeamNode {
    /** 1-based. */
    step: number;
    kind: 'kept' | 'finished' | 'pruned';
    /** Index among the previous step's kept nodes; −1 at step 1 (the prompt). */
    parent: number;
    token: number;
    group: number;
    /** Cumulative log-probability. */
    logprob: number;
    /** What the diversity penalty took off `logprob` for the ranking. */
    penalty: number;
    /** The token's own log-probability (the candidate's, as the search added it). */
    tokenLogprob: number;
}

/** Beam search's score: logprob / length^α. */
export function beamScore(logprob: number, length: number, alpha: number): number {
    return logprob / length ** alpha;
}

/** The n best of every hypothesis, by score (ties: token by token, the lower id first; then the shorter). */
export function rankHypotheses(all: BeamHypothesis[], nBest: number): BeamHypothesis[] {
    return [...all].sort((a, b) => b.score - a.score || compareTokens(a.tokens, b.tokens)).slice(0, nBest);
}

/**
 * The outcome of a search from its nodes, as src/core/decoding/beamSearch.ts builds it while it searches: each step's
 * kept, finished and pruned nodes in the order made (group and penalty only with groups / a penalty), and the n best of
 * the finished hypotheses (in the order they ended) and the last step's kept beams.
 */
export function beamOutcomeFromNodes(nodes: readonly FlatBeamNode[], options: { lengthPenalty: number; nBest: number; groups: number }): BeamSearchOutcome {
    const steps: BeamSearchStep[] = [];
    const finished: BeamHypothesis[] = [];
    // The hypotheses of the previous step's kept nodes, by index.
    let previous: BeamHypothesis[] = [];
    let current: BeamHypothesis[] = [];
    for (const flat of nodes) {
        if (steps.length < flat.step) {
            steps.push({ step: flat.step, kept: [], finished: [], pruned: [] });
            previous = current;
            current = [];
        }
        const record = steps[flat.step - 1]!;
        const node: BeamTreeNode = {
            parent: flat.parent, token: flat.token, logprob: flat.logprob, score: beamScore(flat.logprob, flat.step, options.lengthPenalty),
            ...(options.groups > 1 ? { group: flat.group } : {}), ...(flat.penalty > 0 ? { penalty: flat.penalty } : {}),
        };
        record[flat.kind].push(node);
        if (flat.kind === 'pruned') continue;
        const parent = flat.parent < 0 ? undefined : previous[flat.parent];
        if (flat.parent >= 0 && parent === undefined) throw new Error(`a beam search node at step ${flat.step} names a parent (${flat.parent}) the step before did not keep`);
        const hypothesis: BeamHypothesis = {
            tokens: [...parent?.tokens ?? [], flat.token],
            tokenLogprobs: [...parent?.tokenLogprobs ?? [], flat.tokenLogprob],
            logprob: flat.logprob,
            score: node.score,
            finished: flat.kind === 'finished',
        };
        if (flat.kind === 'finished') finished.push(hypothesis);
        else current.push(hypothesis);
    }
    return { hypotheses: rankHypotheses([...finished, ...current], options.nBest), steps };
}

function compareTokens(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
}
