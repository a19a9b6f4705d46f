/** One line of the token view: the key a query attends to and how much. */
export interface Attended {
    key: number;
    weight: number;
}

/**
 * The keys `query` attends to most, heaviest first: at most `k` of them, none under `minWeight` (crumbs would only
 * clutter the lines), and only keys the query can see (0…query). Ties keep the earlier key first.
 */
export function topAttended(row: readonly number[], query: number, k = 8, minWeight = 0.01): Attended[] {
    const out: Attended[] = [];
    const last = Math.min(query, row.length - 1);
    for (let key = 0; key <= last; key++) {
        const weight = row[key]!;
        if (Number.isFinite(weight) && weight >= minWeight) out.push({ key, weight });
    }
    out.sort((a, b) => b.weight - a.weight || a.key - b.key);
    return out.slice(0, Math.max(0, k));
}

/** Stroke width of a line for `weight`: thin but visible at the threshold, `maxPx` at weight 1. */
export function lineWidth(weight: number, maxPx = 10, minPx = 0.75): number {
    const w = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
    return minPx + (maxPx - minPx) * w;
}

/**
 * An arc from the query's chip to a key's chip (SVG path data), bulging upwards by a height that grows with the
 * distance, so lines to far and near keys do not lie on top of each other. A token attending to itself gets a loop.
 */
export function arcPath(from: { x: number; y: number }, to: { x: number; y: number }): string {
    const f = (n: number) => Number(n.toFixed(1));
    if (Math.abs(from.x - to.x) < 1 && Math.abs(from.y - to.y) < 1) {
        return `M ${f(from.x - 4)} ${f(from.y)} C ${f(from.x - 10)} ${f(from.y - 18)}, ${f(from.x + 10)} ${f(from.y - 18)}, ${f(from.x + 4)} ${f(from.y)}`;
    }
    const lift = Math.min(60, 12 + Math.hypot(to.x - from.x, to.y - from.y) * 0.25);
    const cy = Math.min(from.y, to.y) - lift;
    return `M ${f(from.x)} ${f(from.y)} C ${f(from.x)} ${f(cy)}, ${f(to.x)} ${f(cy)}, ${f(to.x)} ${f(to.y)}`;
}
