import type { CompareModelsResult } from '../../shared/runtimeApi';
import { meanInterval, wilsonInterval, type Interval, type MeanEstimate } from '../statistics/intervals';

/** What a model comparison amounts to over the positions that predict a token of the text. */
export interface ModelComparisonSummary {
    /** Positions summarized: those with a next token (all but the last), from `from`. */
    positions: number;
    /** Mean KL(base ‖ other) in nats, with its standard error and 95% interval. */
    meanKl: MeanEstimate;
    medianKl: number;
    maxKl: number;
    /** Share of positions where both models' most likely token is the same, with its Wilson 95% interval. */
    top1Agreement: Interval & { agreeing: number };
    /** Mean of (other − base) log-probability of the text's next token, with its 95% interval. */
    deltaLogprob: MeanEstimate;
    /** exp(−mean log-probability of the next tokens) under each model. */
    basePerplexity: number;
    otherPerplexity: number;
}

/**
 * Summarizes a comparison over positions `from` … last − 1 (each predicting the text's next token), as llama.cpp's
 * `llama-perplexity --kl-divergence` reports over the positions it scores.
 */
export function summarizeModelComparison(result: Pick<CompareModelsResult, 'kl' | 'baseTop' | 'otherTop' | 'baseLogprob' | 'otherLogprob'>,
    from = 0): ModelComparisonSummary {
    const end = result.kl.length - 1;
    const kl: number[] = [];
    const delta: number[] = [];
    let agreeing = 0;
    let baseSum = 0;
    let otherSum = 0;
    for (let i = Math.max(0, from); i < end; i++) {
        kl.push(result.kl[i]!);
        delta.push(result.otherLogprob[i]! - result.baseLogprob[i]!);
        if (result.baseTop[i] === result.otherTop[i]) agreeing++;
        baseSum += result.baseLogprob[i]!;
        otherSum += result.otherLogprob[i]!;
    }
    const n = kl.length;
    const sorted = [...kl].sort((a, b) => a - b);
    const median = n === 0 ? NaN : n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    return {
        positions: n,
        meanKl: meanInterval(kl),
        medianKl: median,
        maxKl: n === 0 ? NaN : sorted[n - 1]!,
        top1Agreement: { ...wilsonInterval(agreeing, n), agreeing },
        deltaLogprob: meanInterval(delta),
        basePerplexity: n === 0 ? NaN : Math.exp(-baseSum / n),
        otherPerplexity: n === 0 ? NaN : Math.exp(-otherSum / n),
    };
}
