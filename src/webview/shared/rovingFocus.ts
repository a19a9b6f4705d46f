/**
 * Roving tabindex for a one-dimensional list of chips (the token lists of the probabilities, attention and compare
 * views): the list is one tab stop, and the arrow keys, Home and End move the focus inside it, so a keyboard user
 * reaches the next control with one Tab instead of one per token.
 */

/** Where `key` moves the focus from item `current` of `count`, or undefined when it is not a movement key. */
export function rovingTarget(key: string, current: number, count: number): number | undefined {
    if (count === 0) return undefined;
    switch (key) {
        case 'ArrowRight': case 'ArrowDown': return Math.min(count - 1, current + 1);
        case 'ArrowLeft': case 'ArrowUp': return Math.max(0, current - 1);
        case 'Home': return 0;
        case 'End': return count - 1;
        default: return undefined;
    }
}

/** Makes `items[index]` the list's one tab stop and focuses it (scrolled into view). */
export function moveRovingFocus(items: readonly HTMLElement[], index: number): void {
    const target = items[index];
    if (target === undefined) return;
    for (const item of items) item.tabIndex = -1;
    target.tabIndex = 0;
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
}
