import { heatColor } from './colorScale';

/**
 * The colour scale of the comparison view: KL divergence in nats, on a log scale from {@link klFloorNats} (as close
 * as Q8_0 usually gets to its F16 original) to {@link klCapNats} (the models disagree outright), so a quantization's
 * typical 0.001–0.1 nats spread over the colours instead of all looking green.
 */
export const klFloorNats = 1e-4;
export const klCapNats = 1;

/** 0 (the models agree) … 1 (they disagree), for a KL in nats. */
export function klHeat(kl: number): number {
    if (Number.isNaN(kl)) return 1;
    if (kl <= klFloorNats) return 0;
    const t = Math.log10(kl / klFloorNats) / Math.log10(klCapNats / klFloorNats);
    return Math.min(1, Math.max(0, t));
}

export function klColor(kl: number): string {
    return heatColor(klHeat(kl));
}

/** Legend stops for the comparison's header. */
export function klLegendStops(): { label: string; color: string }[] {
    return [1e-4, 1e-3, 1e-2, 1e-1, 1].map(v => ({ label: `${formatNats(v)}${v === klCapNats ? '+' : ''}`, color: klColor(v) }));
}

/** `0.0123 nats`, `4.2e-5 nats`: small values keep two significant digits, since quantization's KL is small. */
export function formatNats(nats: number): string {
    if (!Number.isFinite(nats)) return '–';
    const abs = Math.abs(nats);
    const text = abs !== 0 && abs < 1e-3 ? nats.toExponential(1) : abs >= 10 ? nats.toFixed(1) : nats.toFixed(4);
    return `${text} nats`;
}

/** `0.0123 nats (95% CI 0.0101 to 0.0145)`; without an interval (one position) the estimate alone. */
export function formatNatsInterval(value: { estimate: number; low: number; high: number }): string {
    if (!Number.isFinite(value.low) || !Number.isFinite(value.high)) return formatNats(value.estimate);
    return `${formatNats(value.estimate)} (95% CI ${formatNats(value.low).replace(' nats', '')} to ${formatNats(value.high).replace(' nats', '')})`;
}

/** `97.5% (39 of 40; 95% CI 87.1% to 99.6%)` */
export function formatAgreement(value: { estimate: number; low: number; high: number; agreeing: number }, positions: number): string {
    if (!Number.isFinite(value.estimate)) return '–';
    const percent = (p: number) => `${(p * 100).toFixed(1)}%`;
    return `${percent(value.estimate)} (${value.agreeing} of ${positions}; 95% CI ${percent(value.low)} to ${percent(value.high)})`;
}
