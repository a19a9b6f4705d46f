import { el } from '../shared/dom';
import { moveRovingFocus, rovingTarget } from '../shared/rovingFocus';
import { chipText, markTokenChip } from '../shared/tokenChip';
import { formatPerplexity, formatProbability, natsToBits, probabilityOf } from '../../core/panels/tokenProbabilities/metrics';
import { tokenTooltip } from '../../core/tokens/pieceSummary';
import type { ComparisonReport, ModelComparison } from '../../shared/protocols/tokenProbabilities';
import { endsLine, quotedLabel, quotedToken } from './displayText';
import { formatAgreement, formatNats, formatNatsInterval, klColor, klLegendStops } from './klScale';

/** What the view needs from the app: leaving the comparison mode. */
export interface ComparisonViewHost {
    close(): void;
}

/**
 * The panel's "Compare with model…" mode: the tokens coloured by the KL divergence of the distribution that predicted
 * each (position i − 1's: the first token was predicted by nothing), a legend, per-token details (both models'
 * log-probability of the token, both top tokens, the KL) and the summary the host computed. Its class names are its
 * own (`compare-…`), so the probabilities view's selectors (and the tests') never reach into it. Model text goes in
 * through textContent only. Each chip and summary value carries its number in a `data-` attribute, full precision,
 * for the tests (and for copying).
 */
export class ComparisonView {
    readonly element = el('section', { className: 'comparison', attrs: { 'aria-label': 'Comparison with another model' } });
    private readonly heading = el('div', { className: 'comparison-head' });
    private readonly status = el('div', { className: 'compare-status', attrs: { role: 'status' } });
    private readonly summary = el('dl', { className: 'facts summary', attrs: { 'aria-label': 'Summary' } });
    private readonly legend = el('div', { className: 'legend kl-legend', attrs: { 'aria-hidden': 'true' } });
    private readonly tokens = el('div', { className: 'compare-tokens', attrs: { role: 'listbox', 'aria-label': 'Tokens coloured by KL', 'aria-orientation': 'horizontal' } });
    private readonly details = el('section', { className: 'compare-details', attrs: { 'aria-live': 'polite', 'aria-label': 'Token comparison' } });
    private chips: HTMLElement[] = [];
    private comparison: ModelComparison | undefined;
    private selected: number | undefined;
    private preview: number | undefined;

    constructor(private readonly host: ComparisonViewHost) {
        this.element.append(this.heading, this.status, this.summary, this.legend, this.tokens, this.details);
        this.tokens.addEventListener('keydown', event => this.onKey(event));
        this.tokens.addEventListener('mouseleave', () => this.setPreview(undefined));
    }

    render(comparison: ModelComparison | undefined): void {
        // Every state arrives as a new object: the same comparison keeps the token the user pinned.
        const sameReport = comparison?.report !== undefined && reportKey(comparison) === (this.comparison === undefined ? undefined : reportKey(this.comparison));
        this.comparison = comparison;
        this.element.hidden = comparison === undefined;
        if (comparison === undefined) {
            // Nothing of a closed comparison stays behind, hidden: the next one starts from an empty view.
            for (const part of [this.heading, this.status, this.summary, this.legend, this.tokens, this.details]) part.replaceChildren();
            this.chips = [];
            return;
        }
        if (!sameReport) {
            this.selected = undefined;
            this.preview = undefined;
        }
        this.renderHeading(comparison);
        this.status.className = `compare-status ${comparison.phase}`;
        this.status.textContent = comparison.phase === 'computing' ? (comparison.message ?? 'Comparing…')
            : comparison.phase === 'failed' ? `Comparison failed: ${comparison.message ?? 'see the Promptscope log'}`
                : 'Each token is coloured by the KL divergence of the distribution that predicted it. Hover or focus a token for both models\' view; click or Enter pins it.';
        this.renderSummary(comparison);
        this.legend.replaceChildren(...(comparison.report === undefined ? [] : [
            el('span', { className: 'label', text: 'KL(base ‖ other)' }),
            ...klLegendStops().map(stop => {
                const swatch = el('span', { className: 'swatch', text: stop.label });
                swatch.style.background = stop.color;
                return swatch;
            }),
        ]));
        this.renderTokens(comparison.report);
        this.renderDetails();
    }

    private renderHeading(comparison: ModelComparison): void {
        const close = el('button', { text: 'Close comparison', className: 'secondary close-comparison', title: 'Back to the token probabilities' });
        close.addEventListener('click', () => this.host.close());
        const base = comparison.report === undefined ? 'the loaded model' : fileName(comparison.report.base);
        this.heading.replaceChildren(
            el('h2', { text: `Compared: ${base} (base) with ${fileName(comparison.other)}`, title: comparison.other }),
            close);
    }

    private renderSummary(comparison: ModelComparison): void {
        const { summary } = comparison;
        this.summary.replaceChildren();
        if (summary === undefined) return;
        const fact = (key: string, label: string, value: number, text: string, title?: string) => this.summary.append(
            el('dt', { text: label }),
            el('dd', { text, ...(title !== undefined ? { title } : {}), attrs: { 'data-summary': key, 'data-value': String(value) } }));
        fact('meanKl', 'Mean KL', summary.meanKl.estimate, formatNatsInterval(summary.meanKl), 'mean KL(base ‖ other) of the next-token distributions, with its 95% interval');
        fact('medianKl', 'Median KL', summary.medianKl, formatNats(summary.medianKl));
        fact('maxKl', 'Max KL', summary.maxKl, formatNats(summary.maxKl));
        fact('top1Agreement', 'Top-1 agreement', summary.top1Agreement.estimate, formatAgreement(summary.top1Agreement, summary.positions),
            'share of positions where both models\' most likely next token is the same (Wilson 95% interval)');
        fact('deltaLogprob', 'Δ log P', summary.deltaLogprob.estimate, formatNatsInterval(summary.deltaLogprob),
            'mean of (other − base) log-probability of the text\'s next token: below 0, the other model finds the text less likely');
        fact('basePerplexity', 'Perplexity (base)', summary.basePerplexity, formatPerplexity(summary.basePerplexity));
        fact('otherPerplexity', 'Perplexity (other)', summary.otherPerplexity, formatPerplexity(summary.otherPerplexity));
        fact('positions', 'Positions', summary.positions, String(summary.positions), 'positions that predict a token of the text');
    }

    private renderTokens(report: ComparisonReport | undefined): void {
        const texts = report?.tokenTexts ?? [];
        const focusable = this.selected ?? this.preview ?? 0;
        this.chips = texts.map((token, index) => {
            const chip = el('span', { className: 'token compare-token', text: chipText(token), attrs: { role: 'option', 'data-index': String(index) } });
            markTokenChip(chip, token);
            chip.tabIndex = index === focusable ? 0 : -1;
            const at = index - 1;
            if (report !== undefined && at >= 0) {
                const kl = report.kl[at]!;
                chip.style.background = klColor(kl);
                chip.dataset.kl = String(kl);
                chip.dataset.baseLogprob = String(report.baseLogprob[at]);
                chip.dataset.otherLogprob = String(report.otherLogprob[at]);
                chip.dataset.baseTop = String(report.baseTop[at]);
                chip.dataset.otherTop = String(report.otherTop[at]);
                chip.setAttribute('aria-label', `${quotedLabel(token)}: KL ${formatNats(kl)}`);
                chip.title = `#${index} · KL ${formatNats(kl)}\n${tokenTooltip(token)}`;
            } else {
                chip.setAttribute('aria-label', `${quotedLabel(token)}: first token, predicted by nothing`);
                chip.title = `#${index} · first token: no distribution predicted it\n${tokenTooltip(token)}`;
            }
            chip.addEventListener('mouseenter', () => this.setPreview(index));
            chip.addEventListener('focus', () => this.setPreview(index));
            chip.addEventListener('click', () => this.select(index));
            return chip;
        });
        const nodes: Node[] = [];
        for (const [i, chip] of this.chips.entries()) {
            nodes.push(chip);
            if (endsLine(texts[i]!.text)) nodes.push(el('br'));
        }
        this.tokens.replaceChildren(...nodes);
        this.markSelection();
    }

    private markSelection(): void {
        for (const [i, chip] of this.chips.entries()) {
            chip.classList.toggle('selected', i === this.selected);
            chip.setAttribute('aria-selected', String(i === this.selected));
        }
    }

    private setPreview(index: number | undefined): void {
        if (this.preview === index) return;
        this.preview = index;
        this.renderDetails();
    }

    private select(index: number | undefined): void {
        this.selected = this.selected === index ? undefined : index;
        this.markSelection();
        this.renderDetails();
    }

    private onKey(event: KeyboardEvent): void {
        const count = this.chips.length;
        if (count === 0) return;
        const current = Number((document.activeElement as HTMLElement | null)?.dataset.index ?? this.selected ?? this.preview ?? 0);
        switch (event.key) {
            case 'Enter': case ' ': this.select(current); event.preventDefault(); return;
            case 'Escape': this.select(undefined); return;
        }
        const next = rovingTarget(event.key, current, count);
        if (next === undefined) return;
        event.preventDefault();
        moveRovingFocus(this.chips, next);
    }

    private renderDetails(): void {
        const report = this.comparison?.report;
        const index = this.preview ?? this.selected;
        const token = index === undefined ? undefined : report?.tokenTexts[index];
        if (report === undefined || index === undefined || token === undefined) {
            this.details.replaceChildren();
            return;
        }
        const heading = el('h2', {}, el('span', { text: `#${index} token ` }), el('code', { text: quotedLabel(token), title: tokenTooltip(token) }),
            el('span', { className: 'pin', text: this.selected === index ? ' (pinned, Esc to unpin)' : '' }));
        const at = index - 1;
        if (at < 0) {
            this.details.replaceChildren(heading, el('p', { text: 'The first token: no distribution predicted it.' }));
            return;
        }
        const baseLogprob = report.baseLogprob[at]!;
        const otherLogprob = report.otherLogprob[at]!;
        const top = (id: number) => quotedToken(report.topTexts[id] ?? `#${id}`) + (id === report.tokens[index] ? ' (this token)' : '');
        const rows: [string, string, string][] = [
            ['log P of this token', `${baseLogprob.toFixed(4)} (${formatProbability(probabilityOf(baseLogprob))})`, `${otherLogprob.toFixed(4)} (${formatProbability(probabilityOf(otherLogprob))})`],
            ['Top token', top(report.baseTop[at]!), top(report.otherTop[at]!)],
            ['Entropy', `${natsToBits(report.baseEntropy[at]!).toFixed(2)} bits`, `${natsToBits(report.otherEntropy[at]!).toFixed(2)} bits`],
        ];
        const table = el('table', { className: 'compare-table' },
            el('thead', {}, el('tr', {}, el('th', { text: '' }), el('th', { text: 'Base', attrs: { scope: 'col' } }), el('th', { text: 'Other', attrs: { scope: 'col' } }))),
            el('tbody', {}, ...rows.map(([label, base, other]) => el('tr', {}, el('th', { text: label, attrs: { scope: 'row' } }), el('td', { text: base }), el('td', { text: other })))));
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string) => facts.append(el('dt', { text: label }), el('dd', { text: value }));
        fact('KL(base ‖ other) of the distribution that predicted it', formatNats(report.kl[at]!));
        fact('Δ log P (other − base)', formatNats(otherLogprob - baseLogprob));
        fact('Top tokens', report.baseTop[at] === report.otherTop[at] ? 'agree' : 'differ');
        this.details.replaceChildren(heading, facts, table);
    }
}

function reportKey(comparison: ModelComparison): string | undefined {
    const report = comparison.report;
    return report === undefined ? undefined : `${comparison.other}\0${report.tokens.join(',')}\0${report.kl.join(',')}`;
}

/** The file name of a path, whichever separator it uses (the page has no `node:path`). */
function fileName(path: string): string {
    return path.split(/[\\/]/).pop() ?? path;
}
