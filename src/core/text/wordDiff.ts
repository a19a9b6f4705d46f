/**
 * A minimal diff of two sequences (longest common subsequence), and a word diff of two texts built on it. Pure:
 * the playground's A/B comparison renders its result, and the unit tests check it.
 */

export type DiffOp<T> =
    | { kind: 'same'; items: T[] }
    | { kind: 'removed'; items: T[] }
    | { kind: 'added'; items: T[] };

/**
 * The edit script turning `a` into `b`: runs of common items (`same`), items only in `a` (`removed`) and items only
 * in `b` (`added`), in order, adjacent runs of one kind merged; a removal comes before the addition that replaces it.
 * O(|a|·|b|) time and memory, which is fine for generations of a few thousand tokens.
 */
export function diffSequences<T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean = Object.is): DiffOp<T>[] {
    // Common prefix and suffix first: most comparisons share long stretches, and this keeps the table small.
    let start = 0;
    while (start < a.length && start < b.length && equal(a[start]!, b[start]!)) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && equal(a[endA - 1]!, b[endB - 1]!)) {
        endA--;
        endB--;
    }
    const n = endA - start;
    const m = endB - start;
    // lcs[i][j]: length of the LCS of a[start+i…endA) and b[start+j…endB).
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
            lcs[i]![j] = equal(a[start + i]!, b[start + j]!) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
        }
    }
    const ops: DiffOp<T>[] = [];
    const push = (kind: DiffOp<T>['kind'], item: T) => {
        const last = ops.at(-1);
        if (last?.kind === kind) last.items.push(item);
        else ops.push({ kind, items: [item] });
    };
    for (let k = 0; k < start; k++) push('same', a[k]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && equal(a[start + i]!, b[start + j]!)) {
            push('same', a[start + i]!);
            i++;
            j++;
        } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
            push('removed', a[start + i]!);
            i++;
        } else {
            push('added', b[start + j]!);
            j++;
        }
    }
    for (let k = endA; k < a.length; k++) push('same', a[k]!);
    return reorderReplacements(ops);
}

/** Within a changed stretch, all removals before all additions (`-x +y` rather than `+y -x`), as diffs are read. */
function reorderReplacements<T>(ops: DiffOp<T>[]): DiffOp<T>[] {
    const out: DiffOp<T>[] = [];
    let removed: T[] = [];
    let added: T[] = [];
    const flush = () => {
        if (removed.length > 0) out.push({ kind: 'removed', items: removed });
        if (added.length > 0) out.push({ kind: 'added', items: added });
        removed = [];
        added = [];
    };
    for (const op of ops) {
        if (op.kind === 'removed') removed.push(...op.items);
        else if (op.kind === 'added') added.push(...op.items);
        else {
            flush();
            out.push(op);
        }
    }
    flush();
    return out;
}

/** Words and the whitespace between them, in order: joining the pieces gives the text back. */
export function splitWords(text: string): string[] {
    return text.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
}

export interface TextDiffPart {
    kind: 'same' | 'removed' | 'added';
    text: string;
}

/** Word diff of two texts: parts whose `same` + `removed` texts join to `a` and `same` + `added` texts join to `b`. */
export function diffWords(a: string, b: string): TextDiffPart[] {
    return diffSequences(splitWords(a), splitWords(b)).map(op => ({ kind: op.kind, text: op.items.join('') }));
}

/** Index of the first position where two sequences differ, or undefined when they are equal. */
export function firstDifference<T>(a: readonly T[], b: readonly T[], equal: (x: T, y: T) => boolean = Object.is): number | undefined {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (!equal(a[i]!, b[i]!)) return i;
    return a.length === b.length ? undefined : n;
}
