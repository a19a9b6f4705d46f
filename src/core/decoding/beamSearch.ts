import type { BeamSearchStep, BeamTreeNode } from '../../shared/runtimeApi';
import { DecodingSettingsError } from '../../shared/errors/DecodingSettingsError';
import { beamScore, rankHypotheses } from './beamTree';

export type { BeamSearchStep, BeamTreeNode };

/** One possible next token of a beam, with its raw log-probability (log-softmax of the logits, no sampler). */
export interface BeamCandidate {
    token: number;
    logprob: number;
}

/** A sequence the search holds: the tokens after the prompt, their log-probabilities and the length-penalised score. */
export interface BeamHypothesis {
    tokens: number[];
    tokenLogprobs: number[];
    /** Σ tokenLogprobs: log P(tokens | prompt). */
    logprob: number;
    /** logprob / length^α. */
    score: number;
    /** Ended at an end token (else cut at `maxTokens`). */
    finished: boolean;
}

export interface BeamSearchOptions {
    /** Beams kept per step (k ≥ 1), over all groups. */
    beams: number;
    /** Tokens at most; sequences still open then are returned unfinished. */
    maxTokens: number;
    /** α of score = logprob / length^α (0: raw log-probability; 1: per-token mean). Defaults to 1. */
    lengthPenalty?: number;
    /** Hypotheses returned, best score first (≤ the hypotheses there are). Defaults to `beams`. */
    nBest?: number;
    /**
     * Diverse beam search (Vijayakumar et al. 2016): G groups of k / G beams each (G must divide k), searched one
     * after the other at every step. Defaults to 1 (plain beam search).
     */
    groups?: number;
    /**
     * λ of diverse beam search's Hamming diversity: group g ranks its extensions by cumulative log-probability minus
     * λ × (how many beams of groups 0…g−1 this step continued with the same token). Only the ranking sees it: the
     * hypotheses keep their true log-probabilities and scores. Defaults to 0.
     */
    diversityPenalty?: number;
    /** Tokens that end a sequence (the model's end-of-generation tokens). */
    endTokens: ReadonlySet<number>;
    /**
     * The top candidates of each beam's next-token distribution, most likely first, ties to the lower id: at least
     * `beams + endTokens.size` of them (so that the k best continuations that do not end are always among them, a
     * diversity penalty notwithstanding: it only lowers candidates, and at most k − k/G tokens carry one).
     * `parents[i]` is the index, in the previous call's `beams`, of the beam `beams[i]` extends (-1 at the first call,
     * whose only beam is the empty one).
     */
    expand(beams: readonly BeamHypothesis[], parents: readonly number[]): Promise<BeamCandidate[][]>;
    signal?: AbortSignal;
}

export interface BeamSearchOutcome {
    hypotheses: BeamHypothesis[];
    steps: BeamSearchStep[];
}

/** A beam of the search: its hypothesis and, with groups, the group it belongs to. */
interface OpenBeam {
    hypothesis: BeamHypothesis;
    group: number;
}

/**
 * Checks beam search's parameters, throwing {@link DecodingSettingsError} naming the first that is out of range. The
 * runtime calls it before it allocates anything.
 */
export function validateBeamSearch(options: Pick<BeamSearchOptions, 'beams' | 'maxTokens' | 'lengthPenalty' | 'nBest' | 'groups' | 'diversityPenalty'>): void {
    const { beams: k, maxTokens, lengthPenalty = 1, nBest = k, groups = 1, diversityPenalty = 0 } = options;
    const whole = (n: number) => Number.isInteger(n);
    if (!whole(k) || k < 1) throw new DecodingSettingsError('beams', k, 'a whole number ≥ 1');
    if (!whole(maxTokens) || maxTokens < 1) throw new DecodingSettingsError('maxTokens', maxTokens, 'a whole number ≥ 1');
    if (!Number.isFinite(lengthPenalty) || lengthPenalty < 0) throw new DecodingSettingsError('lengthPenalty', lengthPenalty, 'a number ≥ 0 (the length penalty α)');
    if (!whole(nBest) || nBest < 1) throw new DecodingSettingsError('nBest', nBest, 'a whole number ≥ 1');
    if (!whole(groups) || groups < 1 || k % groups !== 0) throw new DecodingSettingsError('groups', groups, `a whole number ≥ 1 that divides the beams (${k})`);
    if (!Number.isFinite(diversityPenalty) || diversityPenalty < 0) throw new DecodingSettingsError('diversityPenalty', diversityPenalty, 'a number ≥ 0 (the diversity penalty λ)');
}

/**
 * Beam search by cumulative raw log-probability, optionally diverse. Each step expands every open beam by each of its
 * candidates; then group by group (one group: plain beam search), the group's extensions are ordered by
 * log-probability less the group's diversity penalty (ties: the earlier beam, then the lower token id) and walked
 * down: an extension ending in an end token becomes a finished hypothesis, the others become the group's next beams
 * until k / G are kept; the rest are pruned. The tokens a group kept then weigh on the groups after it. The search
 * goes on until no beam is open or `maxTokens` is reached (no early stop, so a longer sequence whose length-penalised
 * score would win is never cut for lack of patience), and returns the n best of every finished hypothesis and the
 * beams still open at the end, by score. All groups start from the prompt: at step 1 each extends the one empty beam.
 * With k ≥ |V|^L and maxTokens = L nothing is ever pruned, so the result is exhaustive search's.
 *
 * The runtime runs this same search inside the addon (src/runtime/native/beamSearchLoop.cc: a return to JavaScript
 * per step cost too much) and rebuilds the outcome from its nodes with beamOutcomeFromNodes; this function is the
 * search over any `expand`: the tests' reference forward pass (the runtime must equal it), and toy models.
 */
export async function beamSearch(options: BeamSearchOptions): Promise<BeamSearchOutcome> {
    validateBeamSearch(options);
    const { beams: k, maxTokens, endTokens } = options;
    const alpha = options.lengthPenalty ?? 1;
    const nBest = options.nBest ?? k;
    const groups = options.groups ?? 1;
    const lambda = options.diversityPenalty ?? 0;
    const perGroup = k / groups;
    const needed = k + endTokens.size;

    const root: BeamHypothesis = { tokens: [], tokenLogprobs: [], logprob: 0, score: 0, finished: false };
    // The beams to expand, in group order; at step 1 the empty beam alone, which every group extends.
    let open: OpenBeam[] = [{ hypothesis: root, group: -1 }];
    let parents: number[] = [-1];
    const finished: BeamHypothesis[] = [];
    const steps: BeamSearchStep[] = [];
    for (let step = 1; step <= maxTokens && open.length > 0; step++) {
        options.signal?.throwIfAborted();
        const candidates = await options.expand(open.map(b => b.hypothesis), parents);
        if (candidates.length !== open.length) throw new Error(`expand returned candidates for ${candidates.length} beams, not ${open.length}`);
        candidates.forEach((list, i) => {
            // Fewer than `needed` only where the vocabulary itself is smaller.
            if (list.length === 0) throw new Error(`expand returned no candidates for beam ${i} (it should give ${needed})`);
        });
        const next: OpenBeam[] = [];
        const nextParents: number[] = [];
        const record: BeamSearchStep = { step, kept: [], finished: [], pruned: [] };
        // Per token: how many beams of the groups searched so far this step continue with it.
        const chosen = new Map<number, number>();
        for (let group = 0; group < groups; group++) {
            const extensions: { parent: number; candidate: BeamCandidate; logprob: number; penalty: number }[] = [];
            open.forEach((beam, parent) => {
                if (beam.group !== group && beam.group !== -1) return;
                for (const candidate of candidates[parent]!) {
                    extensions.push({ parent, candidate, logprob: beam.hypothesis.logprob + candidate.logprob, penalty: lambda * (chosen.get(candidate.token) ?? 0) });
                }
            });
            extensions.sort((a, b) => (b.logprob - b.penalty) - (a.logprob - a.penalty) || a.parent - b.parent || a.candidate.token - b.candidate.token);
            const keptTokens: number[] = [];
            for (const extension of extensions) {
                const parent = open[extension.parent]!.hypothesis;
                const node: BeamTreeNode = {
                    parent: step === 1 ? -1 : extension.parent, token: extension.candidate.token, logprob: extension.logprob, score: beamScore(extension.logprob, step, alpha),
                    ...(groups > 1 ? { group } : {}), ...(extension.penalty > 0 ? { penalty: extension.penalty } : {}),
                };
                if (keptTokens.length >= perGroup) {
                    record.pruned.push(node);
                    continue;
                }
                const hypothesis: BeamHypothesis = {
                    tokens: [...parent.tokens, extension.candidate.token],
                    tokenLogprobs: [...parent.tokenLogprobs, extension.candidate.logprob],
                    logprob: extension.logprob,
                    score: node.score,
                    finished: endTokens.has(extension.candidate.token),
                };
                if (hypothesis.finished) {
                    finished.push(hypothesis);
                    record.finished.push(node);
                } else {
                    next.push({ hypothesis, group });
                    nextParents.push(extension.parent);
                    record.kept.push(node);
                    keptTokens.push(extension.candidate.token);
                }
            }
            for (const token of keptTokens) chosen.set(token, (chosen.get(token) ?? 0) + 1);
        }
        steps.push(record);
        open = next;
        parents = nextParents;
    }
    return { hypotheses: rankHypotheses([...finished, ...open.map(b => b.hypothesis)], nBest), steps };
}
