import { el } from '../shared/dom';
import { moveRovingFocus, rovingTarget } from '../shared/rovingFocus';
import { endsLine, quotedLabel } from '../tokenProbabilities/displayText';
import { chipText, markTokenChip } from '../shared/tokenChip';
import { tokenLabel, tokenTooltip } from '../../core/tokens/pieceSummary';
import type { TokenText } from '../../shared/tokenText';
import { rgbCss, weightRgb } from './colorMap';
import { arcPath, lineWidth, topAttended, type Attended } from './topAttended';

const svgNs = 'http://www.w3.org/2000/svg';
/** Lines per token: more would be a tangle; the heatmap row has the rest. */
const linesShown = 8;

/**
 * The prompt as token chips; hovering or focusing one draws arcs to the tokens it attends to (thickness = weight),
 * from the matrix on screen. The SVG is built with DOM APIs and holds no text but numbers and `<title>`s set
 * through textContent; token text is only ever textContent of the chips.
 */
export class TokenLinesView {
    readonly element = el('div', { className: 'token-view' });
    readonly summary = el('div', { className: 'attended', attrs: { 'aria-live': 'polite' } });
    private readonly flow = el('div', { className: 'token-flow', attrs: { role: 'listbox', 'aria-label': 'Tokens: hover or focus one to see what it attends to' } });
    private readonly svg = document.createElementNS(svgNs, 'svg');
    private chips: HTMLElement[] = [];
    private tokens: readonly TokenText[] = [];
    private matrix: readonly (readonly number[])[] = [];
    private preview: number | undefined;
    private pinned: number | undefined;

    constructor(private readonly onPin: (query: number | undefined) => void) {
        this.svg.classList.add('lines');
        this.svg.setAttribute('aria-hidden', 'true');
        this.element.append(this.svg, this.flow);
        this.flow.addEventListener('keydown', event => this.onKey(event));
        this.flow.addEventListener('mouseleave', () => this.setPreview(undefined));
    }

    setTokens(tokens: readonly TokenText[]): void {
        if (tokens.length === this.tokens.length && tokens.every((t, i) => t.text === this.tokens[i]!.text && t.raw === this.tokens[i]!.raw)) return;
        this.tokens = tokens;
        const focusable = Math.min(this.pinned ?? 0, Math.max(0, tokens.length - 1));
        this.chips = tokens.map((token, i) => {
            const chip = el('span', {
                className: 'token', text: chipText(token), title: `#${i}\n${tokenTooltip(token)}`,
                attrs: { role: 'option', 'data-index': String(i), 'aria-label': `#${i} ${tokenLabel(token)}` },
            });
            markTokenChip(chip, token);
            chip.tabIndex = i === focusable ? 0 : -1;
            chip.addEventListener('mouseenter', () => this.setPreview(i));
            chip.addEventListener('focus', () => this.setPreview(i));
            chip.addEventListener('click', () => this.pin(this.pinned === i ? undefined : i));
            return chip;
        });
        const nodes: Node[] = [];
        for (const [i, chip] of this.chips.entries()) {
            nodes.push(chip);
            if (endsLine(tokens[i]!.text)) nodes.push(el('br'));
        }
        this.flow.replaceChildren(...nodes);
    }

    /** The matrix the lines come from, and the pinned query (kept in the view state). */
    show(matrix: readonly (readonly number[])[], pinned: number | undefined): void {
        this.matrix = matrix;
        this.pinned = pinned;
        for (const [i, chip] of this.chips.entries()) {
            chip.classList.toggle('pinned', i === pinned);
            chip.setAttribute('aria-selected', String(i === pinned));
        }
        this.drawLines();
    }

    /** Redraws after a layout change (the panel was resized). */
    relayout(): void {
        this.drawLines();
    }

    private setPreview(index: number | undefined): void {
        if (this.preview === index) return;
        this.preview = index;
        this.drawLines();
    }

    private pin(index: number | undefined): void {
        this.onPin(index);
    }

    private drawLines(): void {
        const query = this.preview ?? this.pinned;
        for (const chip of this.chips) {
            chip.style.background = '';
            chip.classList.remove('query');
        }
        this.svg.replaceChildren();
        const row = query === undefined ? undefined : this.matrix[query];
        const from = query === undefined ? undefined : this.chips[query];
        if (query === undefined || row === undefined || from === undefined) {
            this.summary.textContent = this.chips.length === 0 ? '' : 'Hover or focus a token to see what it attends to; click or Enter pins it.';
            return;
        }
        const attended = topAttended(row, query, linesShown);
        this.svg.setAttribute('width', String(this.element.scrollWidth));
        this.svg.setAttribute('height', String(this.element.scrollHeight));
        from.classList.add('query');
        const anchor = (chip: HTMLElement) => ({ x: chip.offsetLeft + chip.offsetWidth / 2, y: chip.offsetTop });
        // Lightest first, so the heaviest lines end up on top.
        for (const { key, weight } of [...attended].reverse()) {
            const to = this.chips[key];
            if (to === undefined) continue;
            to.style.background = rgbCss(weightRgb(weight, 'sqrt'), 0.55);
            const path = document.createElementNS(svgNs, 'path');
            path.setAttribute('d', arcPath(anchor(from), anchor(to)));
            path.setAttribute('stroke-width', lineWidth(weight).toFixed(2));
            path.setAttribute('stroke-opacity', (0.35 + 0.65 * weight).toFixed(2));
            path.classList.add('line');
            const title = document.createElementNS(svgNs, 'title');
            title.textContent = `${(weight * 100).toFixed(1)}%`;
            path.append(title);
            this.svg.append(path);
        }
        this.renderSummary(query, attended);
    }

    private renderSummary(query: number, attended: Attended[]): void {
        const items = attended.map(({ key, weight }) => el('li', {},
            el('code', { text: this.label(key) }),
            el('span', { text: ` #${key} ${(weight * 100).toFixed(1)}%` })));
        this.summary.replaceChildren(
            el('span', { text: `#${query} ` }), el('code', { text: this.label(query) }),
            el('span', { text: attended.length === 0 ? ' attends to no token with ≥ 1% of its weight' : ' attends to:' }),
            el('ol', {}, ...items));
    }

    private label(index: number): string {
        const token = this.tokens[index];
        return token === undefined ? '' : quotedLabel(token);
    }

    private onKey(event: KeyboardEvent): void {
        const count = this.chips.length;
        if (count === 0) return;
        const current = Number((document.activeElement as HTMLElement | null)?.dataset.index ?? this.pinned ?? 0);
        switch (event.key) {
            case 'Enter': case ' ': this.pin(this.pinned === current ? undefined : current); event.preventDefault(); return;
            case 'Escape': this.pin(undefined); return;
        }
        const next = rovingTarget(event.key, current, count);
        if (next === undefined) return;
        event.preventDefault();
        moveRovingFocus(this.chips, next);
    }
}
