import { el } from './dom';
import { moveRovingFocus, rovingTarget } from './rovingFocus';
import { visibleText } from '../tokenProbabilities/displayText';

/** A token of a coloured token list: its text, the classes that colour it, and what it says about itself. */
export interface ColouredToken {
    text: string;
    /** Space-separated classes (styles in media/webview/*.css). */
    className: string;
    /** The token's accessible name, title and readout line (it must not repeat secrets: it is shown as is). */
    label: string;
}

/**
 * Tokens as coloured chips (the speculation and watermark views): one tab stop with a roving tabindex, arrows, Home and
 * End moving between tokens (as the probabilities, attention and compare lists); focusing or hovering a chip writes
 * its label into a readout below, since a title shows on hover only. Text is textContent only.
 */
export function colouredTokensView(tokens: readonly ColouredToken[], options: { ariaLabel: string; idle: string; className?: string }): HTMLElement[] {
    const readout = el('p', { className: 'hint token-readout', attrs: { 'aria-live': 'off' } });
    const chips = tokens.map((token, i) => {
        const chip = el('span', {
            className: `coloured-token ${token.className}`, text: visibleText(token.text), title: token.label,
            attrs: { role: 'option', 'data-index': String(i), 'aria-label': token.label },
        });
        chip.tabIndex = i === 0 ? 0 : -1;
        const describe = () => { readout.textContent = token.label; };
        chip.addEventListener('focus', describe);
        chip.addEventListener('mouseenter', describe);
        chip.addEventListener('click', () => moveRovingFocus(chips, i));
        return chip;
    });
    const list = el('p', {
        className: `coloured-tokens ${options.className ?? ''}`.trim(),
        attrs: { role: 'listbox', 'aria-orientation': 'horizontal', 'aria-label': options.ariaLabel },
    }, ...chips);
    list.addEventListener('keydown', event => {
        const current = Number((document.activeElement as HTMLElement | null)?.dataset.index ?? 0);
        const next = rovingTarget(event.key, current, chips.length);
        if (next === undefined) return;
        event.preventDefault();
        moveRovingFocus(chips, next);
    });
    if (tokens.length === 0) return [list];
    readout.textContent = options.idle;
    return [list, readout];
}
