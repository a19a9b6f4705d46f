import type { ColorMetric, ProbabilityToken } from '../../../shared/protocols/tokenProbabilities';

/** The runtime reports natural logs; people read bits. */
const LN2 = Math.log(2);

export function probabilityOf(logprob: number): number {
    return Math.exp(logprob);
}

/** −log2 P: how many bits of surprise a token carried. */
export function surprisalBits(logprob: number): number {
    return logprob === 0 ? 0 : -logprob / LN2;
}

export function natsToBits(nats: number): number {
    return nats / LN2;
}

/** The token's value for `metric`, or undefined where there is none (the first token has no distribution). */
export function metricValue(token: ProbabilityToken, metric: ColorMetric): number | undefined {
    switch (metric) {
        case 'probability': return token.logprob === null ? undefined : probabilityOf(token.logprob);
        case 'surprisal': return token.logprob === null ? undefined : surprisalBits(token.logprob);
        case 'entropy': return token.entropy === null ? undefined : natsToBits(token.entropy);
    }
}

/** `97.3%`, `0.042%`, `<0.001%`: small probabilities keep two significant digits, since they are the interesting ones. */
export function formatProbability(p: number): string {
    if (!Number.isFinite(p)) return '–';
    const percent = p * 100;
    if (percent === 0) return '0%';
    if (percent < 0.001) return '<0.001%';
    if (percent >= 10) return `${percent.toFixed(1)}%`;
    return `${Number(percent.toPrecision(2))}%`;
}

export function formatBits(bits: number): string {
    if (!Number.isFinite(bits)) return '∞ bits';
    return `${bits.toFixed(bits >= 10 ? 1 : 2)} bits`;
}

export function formatMetric(metric: ColorMetric, value: number | undefined): string {
    if (value === undefined) return '–';
    return metric === 'probability' ? formatProbability(value) : formatBits(value);
}

export function formatPerplexity(perplexity: number | null | undefined): string {
    if (perplexity === null || perplexity === undefined || !Number.isFinite(perplexity)) return '–';
    return perplexity >= 100 ? perplexity.toFixed(0) : perplexity.toFixed(2);
}

/** Perplexity of the tokens of `source` that have a logprob: exp of the mean negative logprob. */
export function perplexityOf(tokens: readonly ProbabilityToken[], source: ProbabilityToken['source']): number | undefined {
    const logprobs = tokens.filter(t => t.source === source && t.logprob !== null).map(t => t.logprob!);
    if (logprobs.length === 0) return undefined;
    return Math.exp(-logprobs.reduce((a, b) => a + b, 0) / logprobs.length);
}
