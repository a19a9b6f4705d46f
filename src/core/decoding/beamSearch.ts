import type { BeamSearchStep, BeamTreeNode } from '../../shared/runtimeApi';

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
    /** Beams kept per step (k ≥ 1). */
    beams: number;
    /** Tokens at most; sequences still open then are returned unfinished. */
    maxTokens: number;
    /** α of score = logprob / length^α (0: raw log-probability; 1: per-token mean). Defaults to 1. */
    lengthPenalty?: number;
    /** Hypotheses returned, best score first (≤ the hypotheses there are). Defaults to `beams`. */
    nBest?: number;
    /** Tokens that end a sequence (the model's end-of-generation tokens). */
    endTokens: ReadonlySet<number>;
    /**
     * The top candidates of each beam's next-token distribution, most likely first, ties to the lower id: at least
     * `beams + endTokens.size` of them (so that the k best continuations that do not end are always among them).
     */
    expand(beams: readonly BeamHypothesis[]): Promise<BeamCandidate[][]>;
    signal?: AbortSignal;
}

export interface BeamSearchOutcome {
    hypotheses: BeamHypothesis[];
    steps: BeamSearchStep[];
}

/**
 * Beam search by cumulative raw log-probability. Each step extends every open beam by each of its candidates, orders
 * the extensions by log-probability (ties: the earlier beam, then the lower token id) and walks down that order: an
 * extension ending in an end token becomes a finished hypothesis, the others become the next beams until k are kept;
 * the rest are pruned. The search goes on until no beam is open or `maxTokens` is reached (no early stop, so a
 * longer sequence whose length-penalised score would win is never cut for lack of patience), and returns the n best
 * of every finished hypothesis and the beams still open at the end, by score.
 * With k ≥ |V|^L and maxTokens = L nothing is ever pruned, so the result is exhaustive search's.
 */
export async function beamSearch(options: BeamSearchOptions): Promise<BeamSearchOutcome> {
    const { beams: k, maxTokens, endTokens } = options;
    const alpha = options.lengthPenalty ?? 1;
    const nBest = options.nBest ?? k;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`beams must be a whole number ≥ 1, got ${k}`);
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError(`maxTokens must be a whole number ≥ 1, got ${maxTokens}`);
    if (!Number.isFinite(alpha) || alpha < 0) throw new RangeError(`the length penalty α must be a number ≥ 0, got ${alpha}`);
    if (!Number.isInteger(nBest) || nBest < 1) throw new RangeError(`nBest must be a whole number ≥ 1, got ${nBest}`);
    const needed = k + endTokens.size;
    const score = (logprob: number, length: number) => logprob / length ** alpha;

    let open: BeamHypothesis[] = [{ tokens: [], tokenLogprobs: [], logprob: 0, score: 0, finished: false }];
    const finished: BeamHypothesis[] = [];
    const steps: BeamSearchStep[] = [];
    for (let step = 1; step <= maxTokens && open.length > 0; step++) {
        options.signal?.throwIfAborted();
        const candidates = await options.expand(open);
        if (candidates.length !== open.length) throw new Error(`expand returned candidates for ${candidates.length} beams, not ${open.length}`);
        const extensions: { parent: number; candidate: BeamCandidate; logprob: number }[] = [];
        candidates.forEach((list, parent) => {
            // Fewer than `needed` only where the vocabulary itself is smaller.
            if (list.length === 0) throw new Error(`expand returned no candidates for beam ${parent} (it should give ${needed})`);
            for (const candidate of list) extensions.push({ parent, candidate, logprob: open[parent]!.logprob + candidate.logprob });
        });
        extensions.sort((a, b) => b.logprob - a.logprob || a.parent - b.parent || a.candidate.token - b.candidate.token);
        const next: BeamHypothesis[] = [];
        const record: BeamSearchStep = { step, kept: [], finished: [], pruned: [] };
        for (const extension of extensions) {
            const parent = open[extension.parent]!;
            const node: BeamTreeNode = { parent: extension.parent, token: extension.candidate.token, logprob: extension.logprob, score: score(extension.logprob, step) };
            if (next.length >= k) {
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
                next.push(hypothesis);
                record.kept.push(node);
            }
        }
        steps.push(record);
        open = next;
    }
    const all = [...finished, ...open];
    all.sort((a, b) => b.score - a.score || compareTokens(a.tokens, b.tokens));
    return { hypotheses: all.slice(0, nBest), steps };
}

function compareTokens(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
}
