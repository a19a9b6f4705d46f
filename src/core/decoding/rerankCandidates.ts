import type { LabelScore } from '../reasoning/labelDistribution';

/** A generated candidate, with the figures its decoding gave it. */
export interface RerankCandidate {
    text: string;
    tokens: number[];
    /** Sequence log-probability under the generating model (raw, temperature 1). */
    logprob: number;
}

export interface RerankedCandidate extends RerankCandidate {
    /** Its place among the candidates as generated (0-based). */
    index: number;
    /** The scorer's probability of the target label for this candidate. */
    score: number;
    /** The scorer's whole label distribution. */
    labels: LabelScore[];
}

export interface RerankResult {
    /** Best first: by score, then by the generator's log-probability, then as generated. */
    ranked: RerankedCandidate[];
    target: string;
}

/**
 * Classifier-guided reranking: each candidate is scored by a scorer (label probabilities of a second prompt, on this
 * model or another) and the candidates are ordered by the probability of `target`. Candidates are scored one after
 * another (the scorer holds the model); a candidate whose text repeats an earlier one's reuses its score.
 */
export async function rerankCandidates(candidates: readonly RerankCandidate[], target: string,
    score: (candidate: RerankCandidate) => Promise<LabelScore[]>): Promise<RerankResult> {
    const byText = new Map<string, LabelScore[]>();
    const scored: RerankedCandidate[] = [];
    for (const [index, candidate] of candidates.entries()) {
        let labels = byText.get(candidate.text);
        if (!labels) {
            labels = await score(candidate);
            byText.set(candidate.text, labels);
        }
        const label = labels.find(l => l.label === target);
        if (!label) throw new RangeError(`The scorer has no label ${JSON.stringify(target)}; its labels are ${labels.map(l => JSON.stringify(l.label)).join(', ')}.`);
        scored.push({ ...candidate, index, score: label.probability, labels });
    }
    const ranked = [...scored].sort((a, b) => b.score - a.score || b.logprob - a.logprob || a.index - b.index);
    return { ranked, target };
}
