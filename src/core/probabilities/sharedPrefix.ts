/**
 * Which positions of two token sequences can be compared distribution to distribution: the next-token distribution
 * that predicts position i depends on tokens [0, i), so the two sides' distributions at i answer the same question
 * only while their sequences agree on that whole prefix. Two prompt variants part inside the prompt, so usually no
 * generated position qualifies; the same prompt under two configurations qualifies everywhere A's tokens are used
 * for both sides.
 */

/** Length of the longest common prefix of `a` and `b`. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
}

/**
 * The generated positions of A (from `promptLengthA` to the end of `a`) whose prefix B shares, so that both sides'
 * next-token distributions there can be compared; each is also a position of `b` (i < b.length).
 */
export function comparablePositions(promptLengthA: number, a: readonly number[], b: readonly number[]): number[] {
    const shared = commonPrefixLength(a, b);
    const positions: number[] = [];
    for (let i = promptLengthA; i < a.length && i <= shared && i < b.length; i++) positions.push(i);
    return positions;
}
