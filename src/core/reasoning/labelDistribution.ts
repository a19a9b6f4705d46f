/** A label's score: log P(label | prompt) over its surface forms, and its share of the label distribution. */
export interface LabelScore {
    label: string;
    /** log Σ_forms P(form | prompt), natural log: the forms are disjoint continuations, so their probabilities add. */
    logprob: number;
    /** Softmax of the labels' log-probs (renormalised over the labels only); calibrated when calibration was given. */
    probability: number;
    /** The uncalibrated probability, present only when calibrated. */
    uncalibrated?: number;
}

/** log Σ exp(values), stable for large negative values; −∞ for none. */
export function logSumExp(values: readonly number[]): number {
    const max = Math.max(...values);
    if (max === -Infinity || values.length === 0) return -Infinity;
    return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/**
 * The distribution over labels from each label's surface-form log-probs. With `calibration` (the same labels'
 * log-probs on a content-free input such as "N/A"), each probability is divided by the content-free one and the
 * result renormalised: contextual calibration (Zhao et al. 2021, with W = diag(p_cf)^-1 and b = 0).
 */
export function labelDistribution(formLogprobs: Record<string, readonly number[]>, calibration?: Record<string, readonly number[]>): LabelScore[] {
    const labels = Object.keys(formLogprobs);
    if (labels.length === 0) throw new RangeError('Label scoring needs at least one label.');
    const logprobs = labels.map(label => logSumExp(formLogprobs[label]!));
    const probabilities = softmax(logprobs);
    if (!calibration) return labels.map((label, i) => ({ label, logprob: logprobs[i]!, probability: probabilities[i]! }));
    const contentFree = softmax(labels.map(label => {
        const forms = calibration[label];
        if (!forms) throw new RangeError(`The calibration scores lack label ${JSON.stringify(label)}.`);
        return logSumExp(forms);
    }));
    // In log space: log p_i − log p_cf,i, then softmax; a label the content-free input never produces stays finite.
    const calibrated = softmax(logprobs.map((lp, i) => lp - Math.log(contentFree[i]!)));
    return labels.map((label, i) => ({ label, logprob: logprobs[i]!, probability: calibrated[i]!, uncalibrated: probabilities[i]! }));
}

function softmax(logits: readonly number[]): number[] {
    const total = logSumExp(logits);
    return logits.map(v => (total === -Infinity ? 1 / logits.length : Math.exp(v - total)));
}
