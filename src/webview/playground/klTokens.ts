import { el } from '../shared/dom';
import { moveRovingFocus, rovingTarget } from '../shared/rovingFocus';
import { quotedLabel, quotedToken, visibleText } from '../tokenProbabilities/displayText';
import { markTokenChip } from '../shared/tokenChip';
import { tokenLabel, tokenTooltip } from '../../core/tokens/pieceSummary';
import type { ComparePosition, CompareState } from '../../shared/protocols/playground';
import type { TokenText } from '../../shared/tokenText';

/** KL (nats) above which a position counts as diverging. */
export const divergentKl = 0.1;

/** What a position says about itself: the KL bound, whether it is exact, and where B parted from A. */
function klFacts(p: ComparePosition, firstDivergence: boolean): string {
    const precision = p.unknownMass > 1e-6 ? ` (${(p.unknownMass * 100).toFixed(1)}% of the mass outside the shared top-100)` : ' (exact)';
    return `KL(A‖B) ≥ ${p.kl.toFixed(4)} nats${precision}${firstDivergence ? '; B generated another token here' : ''}`;
}

/** A's token at a position as a TokenText (a compare saved before vocabulary pieces were kept has its text only). */
function tokenOf(p: ComparePosition): TokenText {
    return { text: p.piece, raw: p.raw ?? p.piece, ...(p.pieces !== undefined ? { pieces: p.pieces } : {}) };
}

/**
 * The KL per generated token of A: A's tokens as chips, tinted by their KL, outlined where they diverge. The list is
 * one tab stop (roving tabindex, as the probabilities and attention token lists): arrows, Home and End move between
 * tokens, and each chip's accessible name says its KL and both sides' tokens there; focusing or hovering one also
 * writes that into a readout below, for sighted keyboard users (a title shows on hover only). Token text is
 * textContent only, and a chip holds A's piece as it is, so the chips spell A's output.
 */
export function klTokensView(state: CompareState): HTMLElement[] {
    const positions = state.positions ?? [];
    const max = Math.max(divergentKl, ...positions.map(p => Number.isFinite(p.kl) ? p.kl : 0));
    // Kept out of the result's live region: the focused chip's name already says this to a screen reader.
    const readout = el('p', { className: 'hint kl-readout', attrs: { 'aria-live': 'off' } });
    const idle = 'Focus a token (arrow keys, Home and End move) or hover one: its KL and the token each side generated there.';
    const describe = (i: number) => {
        const p = positions[i]!;
        const b = p.pieceB !== undefined ? `B ${quotedToken(p.pieceB)}` : 'B generated no token here';
        readout.textContent = `#${i} A ${quotedLabel(tokenOf(p))}, ${b}: ${klFacts(p, i === state.firstDivergence)}`;
    };
    const chips = positions.map((p, i) => {
        const strength = Number.isFinite(p.kl) ? Math.min(1, p.kl / max) : 1;
        const first = i === state.firstDivergence;
        const classes = ['kl-token', p.kl > divergentKl ? 'diverges' : '', first ? 'first-divergence' : ''].filter(c => c !== '').join(' ');
        const b = p.pieceB !== undefined ? `B “${visibleText(p.pieceB)}”` : 'B none';
        const token = tokenOf(p);
        const chip = el('span', {
            className: classes, text: p.piece, title: `${klFacts(p, first)}\n${tokenTooltip(token)}`,
            attrs: { role: 'option', 'data-index': String(i), 'aria-label': `#${i} A “${visibleText(tokenLabel(token))}”, ${b}: ${klFacts(p, first)}` },
        });
        markTokenChip(chip, token);
        chip.tabIndex = i === 0 ? 0 : -1;
        chip.style.setProperty('--kl', strength.toFixed(3));
        chip.addEventListener('focus', () => describe(i));
        chip.addEventListener('mouseenter', () => describe(i));
        chip.addEventListener('click', () => moveRovingFocus(chips, i));
        return chip;
    });
    const list = el('p', { className: 'kl-tokens', attrs: { role: 'listbox', 'aria-orientation': 'horizontal', 'aria-label': 'KL divergence per token of A' } }, ...chips);
    list.addEventListener('keydown', event => {
        const current = Number((document.activeElement as HTMLElement | null)?.dataset.index ?? 0);
        const next = rovingTarget(event.key, current, chips.length);
        if (next === undefined) return;
        event.preventDefault();
        moveRovingFocus(chips, next);
    });
    if (positions.length === 0) return [list];
    readout.textContent = idle;
    return [list, readout];
}
