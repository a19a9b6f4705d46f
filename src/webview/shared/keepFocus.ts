/**
 * Runs a render that rebuilds or moves elements, and puts the keyboard focus back where it was. Moving a focused
 * element (replaceChildren with the same node) or replacing it blurs it, so without this a keyboard user who pins a
 * token or picks a layer with the arrow keys lands on <body> and has to Tab back in. A replaced element is found
 * again by what identifies it to the user: its tag plus its id, data-index, aria-label or text.
 */
export function keepFocus(root: HTMLElement, render: () => void): void {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || active === document.body || !root.contains(active)) {
        render();
        return;
    }
    const selector = focusSelector(active);
    const text = active.textContent;
    const candidates = () => [...root.querySelectorAll<HTMLElement>(selector)].filter(node => selector.includes('[') || node.textContent === text);
    // Of several alike (a Branch button per alternative), the one at the same place.
    const position = candidates().indexOf(active);
    render();
    if (document.activeElement === active) return;
    if (active.isConnected && root.contains(active)) {
        active.focus({ preventScroll: true });
        return;
    }
    const twins = candidates();
    (twins[position] ?? twins[0])?.focus({ preventScroll: true });
}

function focusSelector(node: HTMLElement): string {
    const tag = node.tagName.toLowerCase();
    const quoted = (value: string) => `"${CSS.escape(value)}"`;
    if (node.id !== '') return `${tag}[id=${quoted(node.id)}]`;
    const index = node.getAttribute('data-index');
    if (index !== null) return `${tag}[data-index=${quoted(index)}]`;
    const label = node.getAttribute('aria-label');
    if (label !== null) return `${tag}[aria-label=${quoted(label)}]`;
    return tag;
}
