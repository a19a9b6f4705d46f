import { SeededRandom } from '../fixtures/SeededRandom';

/** The order of `count` items for one epoch: a Fisher–Yates shuffle seeded by `seed` and the epoch. */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
    const order = Array.from({ length: count }, (_, i) => i);
    const random = new SeededRandom(seed, `epoch ${epoch}`);
    for (let i = count - 1; i > 0; i--) {
        const j = random.nextInt(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
}

/**
 * Packs examples (token sequences), in `order`, into training windows: one stream of their tokens cut every `window`
 * tokens, each window stored with the token after it (`window + 1` values: the labels are the tokens shifted by one).
 * The tail shorter than a window is left out. Returns the windows back to back.
 */
export function packWindows(examples: readonly (readonly number[])[], window: number, order: readonly number[] = examples.map((_, i) => i)): Int32Array {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
    let total = 0;
    for (const i of order) total += examples[i]!.length;
    const count = total > window ? Math.floor((total - 1) / window) : 0;
    const out = new Int32Array(count * (window + 1));
    let example = 0;
    let offset = 0;
    const next = (): number => {
        while (offset >= examples[order[example]!]!.length) {
            example++;
            offset = 0;
        }
        return examples[order[example]!]![offset++]!;
    };
    let carried = count > 0 ? next() : 0;
    for (let w = 0; w < count; w++) {
        const base = w * (window + 1);
        out[base] = carried;
        for (let t = 1; t <= window; t++) out[base + t] = next();
        carried = out[base + window]!;
    }
    return out;
}

/**
 * Cosine decay from `peak` at step `warmup` to `floor` at step `steps - 1`, after a linear climb from `peak / 10` over
 * the first `warmup` steps. `warmup` defaults to 0.
 */
export function cosineLearningRate(step: number, steps: number, peak: number, floor: number, warmup = 0): number {
    if (step < warmup) return peak / 10 + (peak - peak / 10) * (step / warmup);
    if (steps - warmup <= 1) return peak;
    const progress = Math.min(1, Math.max(0, (step - warmup) / (steps - warmup - 1)));
    return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
