import { el } from '../shared/dom';
import { markSpeculation, speculationByIndex, speculationLegend, speculationText } from './speculationMarks';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import { keepFocus } from '../shared/keepFocus';
import { moveRovingFocus, rovingTarget } from '../shared/rovingFocus';
import type { VsCodeApi } from '../shared/vscodeApi';
import { barFraction, rawAlternatives, sampledAlternatives, type AlternativeRow } from './alternatives';
import { ComparisonView } from './ComparisonView';
import { originalContinuation } from '../../core/panels/tokenProbabilities/branchTokens';
import { heat, heatColor, legendStops } from './colorScale';
import { endsLine, quotedToken, standaloneText } from './displayText';
import { chipText, markTokenChip } from '../shared/tokenChip';
import { pieceSummary, tokenLabel, tokenTooltip } from '../../core/tokens/pieceSummary';
import { formatBits, formatMetric, formatPerplexity, formatProbability, metricValue, natsToBits, perplexityOf, probabilityOf, surprisalBits } from '../../core/panels/tokenProbabilities/metrics';
import {
    branchCommand, branchNotification, cancelBranchCommand, closeComparisonCommand, compareModelRequest, exportRequest, recomputeCommand, stateNotification,
    type Branch, type ColorMetric, type ExportFormat, type PanelState, type ProbabilityToken, type ViewState,
} from '../../shared/protocols/tokenProbabilities';

const metrics: { id: ColorMetric; label: string; help: string }[] = [
    { id: 'probability', label: 'Probability', help: 'P(token | earlier tokens) under the raw model' },
    { id: 'surprisal', label: 'Surprisal', help: '−log2 P: bits of surprise' },
    { id: 'entropy', label: 'Entropy', help: 'How uncertain the model was at this position, in bits' },
];

/**
 * The token probabilities panel. The host sends the whole {@link PanelState} after `ready` and on every change;
 * the view's own choices (metric, selected token) live only here and in setState, which VS Code keeps while the panel
 * is hidden and hands to the serializer on reload.
 */
export class ProbabilitiesApp {
    private view: ViewState;
    /** The token shown in the details while the pointer or keyboard focus is on it; the pinned one otherwise. */
    private preview: number | undefined;
    private readonly header = el('header', { className: 'header' });
    private readonly status = el('div', { className: 'status', attrs: { role: 'status' } });
    private readonly tokens = el('div', { className: 'tokens', attrs: { role: 'listbox', 'aria-label': 'Tokens', 'aria-orientation': 'horizontal' } });
    private readonly details = el('section', { className: 'details', attrs: { 'aria-live': 'polite', 'aria-label': 'Alternatives' } });
    private readonly branches = el('section', { className: 'branches', attrs: { 'aria-label': 'Branches' } });
    private chips: HTMLElement[] = [];
    /** The "Compare with model…" mode, shown instead of the tokens and their alternatives while the state has a comparison. */
    private readonly comparison = new ComparisonView({ close: () => this.host.send(closeComparisonCommand, undefined) });

    constructor(private readonly root: HTMLElement, private readonly host: HostConnection, private readonly api: VsCodeApi<ViewState>) {
        this.view = api.getState() ?? { panel: { title: '', phase: 'computing', branches: [] }, metric: 'probability' };
    }

    start(): void {
        this.host.onNotification(stateNotification, panel => {
            this.view = { ...this.view, panel };
            if (this.view.selected !== undefined && this.view.selected >= (panel.report?.tokens.length ?? 0)) this.view.selected = undefined;
            this.renderAll();
        });
        this.host.onNotification(branchNotification, branch => {
            const list = this.view.panel.branches;
            const at = list.findIndex(b => b.id === branch.id);
            if (at >= 0) list[at] = branch;
            else list.push(branch);
            this.save();
            this.renderBranches();
        });
        this.root.replaceChildren(this.header, this.status, this.comparison.element, this.tokens, this.details, this.branches);
        this.tokens.addEventListener('keydown', event => this.onKey(event));
        this.tokens.addEventListener('mouseleave', () => this.setPreview(undefined));
        // Render what getState kept (hidden and shown again, or reloaded) at once; the host's state follows `ready`.
        this.renderAll();
        this.host.ready();
    }

    private get tokenList(): ProbabilityToken[] {
        return this.view.panel.report?.tokens ?? [];
    }

    private save(): void {
        this.api.setState(this.view);
    }

    /** The host's state can arrive while a token has the focus (a recompute finishing): it keeps it. */
    private renderAll(): void {
        this.save();
        keepFocus(this.root, () => {
            this.renderHeader();
            this.renderStatus();
            this.renderTokens();
            this.renderDetails();
            this.renderBranches();
            this.renderComparison();
        });
    }

    private renderComparison(): void {
        const { comparison } = this.view.panel;
        this.comparison.render(comparison);
        this.tokens.hidden = comparison !== undefined;
        this.details.hidden = comparison !== undefined;
    }

    private renderHeader(): void {
        const { panel, metric } = this.view;
        const report = panel.report;
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string, title?: string) => facts.append(el('dt', { text: label }), el('dd', { text: value, title }));
        if (report !== undefined) {
            fact('Model', report.model);
            fact('Prompt perplexity', formatPerplexity(report.promptPerplexity), 'exp of the mean negative log-probability of the prompt tokens');
            const generated = perplexityOf(report.tokens, 'generated');
            if (generated !== undefined) fact('Generated perplexity', formatPerplexity(generated));
            fact('Tokens', `${report.tokens.filter(t => t.source === 'prompt').length} prompt + ${report.tokens.filter(t => t.source === 'generated').length} generated`);
            if (report.view !== undefined) {
                // A server's numbers are what it reports: the model's own, or what its sampler chain left.
                fact('Probabilities', report.view === 'raw' ? 'raw (server, before its sampler)' : 'server, after its sampler',
                    'log-probabilities of the generated tokens as the OpenAI-compatible server returned them; a server scores no prompt tokens');
            } else {
                fact('Precision', report.exact ? 'exact (F32 KV cache)' : 'F16 KV cache (±1e-3)');
            }
        }
        if (panel.sampling !== undefined) fact('Sampling', panel.sampling);

        const switcher = el('div', { className: 'metric-switch', attrs: { role: 'radiogroup', 'aria-label': 'Colour by' } });
        for (const m of metrics) {
            const button = el('button', { text: m.label, title: m.help, attrs: { role: 'radio', 'aria-checked': String(m.id === metric) } });
            button.addEventListener('click', () => {
                this.view.metric = m.id;
                this.save();
                keepFocus(this.root, () => {
                    this.renderHeader();
                    this.renderTokens();
                });
            });
            switcher.append(button);
        }
        const legend = el('div', { className: 'legend', attrs: { 'aria-hidden': 'true' } });
        for (const stop of legendStops(metric)) {
            const swatch = el('span', { className: 'swatch', text: stop.label });
            swatch.style.background = stop.color;
            legend.append(swatch);
        }
        const actions = el('div', { className: 'actions' });
        const hasReport = report !== undefined;
        for (const format of ['json', 'csv'] as ExportFormat[]) {
            const button = el('button', { text: `Export ${format.toUpperCase()}`, className: 'secondary' });
            button.disabled = !hasReport;
            button.addEventListener('click', () => void this.host.request(exportRequest, { format }).catch((error: unknown) => this.showRequestFailure('Export', error)));
            actions.append(button);
        }
        const compare = el('button', { text: 'Compare with model…', className: 'secondary compare', title: 'Compare the loaded model with another GGUF of its vocabulary on these tokens (KL, top-1 agreement, Δ log P)' });
        compare.disabled = !hasReport || panel.phase === 'computing' || panel.comparison?.phase === 'computing';
        compare.addEventListener('click', () => void this.host.request(compareModelRequest, undefined).catch((error: unknown) => this.showRequestFailure('Compare', error)));
        actions.append(compare);
        const recompute = el('button', { text: 'Recompute', className: 'secondary', title: 'Render the prompt again and recompute' });
        recompute.disabled = panel.phase === 'computing' || (panel.promptUri === undefined && panel.inspected !== true);
        recompute.addEventListener('click', () => this.host.send(recomputeCommand, undefined));
        actions.append(recompute);

        this.header.replaceChildren(
            el('h1', { text: panel.title === '' ? 'Token probabilities' : `Token probabilities — ${panel.title}` }),
            facts,
            el('div', { className: 'toolbar' }, el('span', { className: 'label', text: 'Colour by' }), switcher, legend, actions),
            ...(panel.speculation !== undefined && report !== undefined ? [speculationLegend(panel.speculation)] : []),
        );
    }

    private renderStatus(): void {
        const { phase, message } = this.view.panel;
        this.status.className = `status ${phase}`;
        this.status.textContent = phase === 'computing' ? (message ?? 'Computing token probabilities…')
            : phase === 'failed' ? `Failed: ${message ?? 'see the Promptscope log'}`
                : 'Hover or focus a token to see its alternatives; click or Enter pins it. Arrow keys move between tokens.';
    }

    /** Until the next state: a request whose host handler failed (the page's promise rejected with its error). */
    private showRequestFailure(what: string, error: unknown): void {
        this.status.className = 'status failed';
        this.status.textContent = `${what} failed: ${failureMessage(error)}`;
    }

    private renderTokens(): void {
        const { metric } = this.view;
        const focusable = this.focusIndex();
        const speculation = speculationByIndex(this.tokenList, this.view.panel.speculation);
        this.chips = this.tokenList.map(token => {
            const value = metricValue(token, metric);
            const spec = speculation.get(token.index);
            const specText = spec !== undefined ? `; ${speculationText(spec)}` : '';
            const chip = el('span', {
                className: `token ${token.source}`,
                text: chipText(token),
                attrs: { role: 'option', 'data-index': String(token.index), 'aria-label': `${tokenLabel(token)}: ${formatMetric(metric, value)}${specText}` },
            });
            markTokenChip(chip, token);
            markSpeculation(chip, spec);
            chip.tabIndex = token.index === focusable ? 0 : -1;
            if (value !== undefined) chip.style.background = heatColor(heat(metric, value));
            chip.title = `#${token.index} ${token.source} · ${formatMetric(metric, value)}${specText}\n${tokenTooltip(token)}`;
            chip.addEventListener('mouseenter', () => this.setPreview(token.index));
            chip.addEventListener('focus', () => this.setPreview(token.index));
            chip.addEventListener('click', () => this.select(token.index));
            return chip;
        });
        const nodes: Node[] = [];
        let lastSource: string | undefined;
        for (const [i, chip] of this.chips.entries()) {
            const token = this.tokenList[i]!;
            if (lastSource === 'prompt' && token.source === 'generated') nodes.push(el('span', { className: 'boundary', text: '▸', title: 'generation starts here' }));
            lastSource = token.source;
            nodes.push(chip);
            if (endsLine(token.text)) nodes.push(el('br'));
        }
        this.tokens.replaceChildren(...nodes);
        this.markSelection();
    }

    private focusIndex(): number {
        return this.view.selected ?? this.preview ?? 0;
    }

    private markSelection(): void {
        for (const [i, chip] of this.chips.entries()) {
            chip.classList.toggle('selected', i === this.view.selected);
            chip.setAttribute('aria-selected', String(i === this.view.selected));
        }
    }

    private setPreview(index: number | undefined): void {
        if (this.preview === index) return;
        this.preview = index;
        this.renderDetails();
    }

    private select(index: number | undefined): void {
        this.view.selected = this.view.selected === index ? undefined : index;
        this.save();
        this.markSelection();
        this.renderDetails();
    }

    private onKey(event: KeyboardEvent): void {
        const count = this.chips.length;
        if (count === 0) return;
        const current = Number((document.activeElement as HTMLElement | null)?.dataset.index ?? this.focusIndex());
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
        const index = this.preview ?? this.view.selected;
        const token = index === undefined ? undefined : this.tokenList[index];
        if (token === undefined) {
            this.details.replaceChildren();
            return;
        }
        const pinned = this.view.selected === token.index;
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string) => facts.append(el('dt', { text: label }), el('dd', { text: value }));
        fact('Probability', token.logprob === null ? '– (first token)' : formatProbability(probabilityOf(token.logprob)));
        fact('Surprisal', token.logprob === null ? '–' : formatBits(surprisalBits(token.logprob)));
        fact('Entropy', token.entropy === null ? '–' : formatBits(natsToBits(token.entropy)));
        fact('Token id', String(token.id));
        fact('Vocabulary piece', JSON.stringify(token.raw));
        if (token.pieces !== undefined) fact('Bytes of', pieceSummary(token.pieces));

        const charts = el('div', { className: 'charts' });
        const sampled = sampledAlternatives(token);
        charts.append(this.chart(sampled === undefined ? 'Raw model' : 'Before filters (raw model)', rawAlternatives(token), token, true));
        if (sampled !== undefined) charts.append(this.chart('After filters (sampler)', sampled, token, false));

        this.details.replaceChildren(
            el('h2', {}, el('span', { text: `#${token.index} ${token.source} token ` }), el('code', { text: quotedToken(standaloneText(token)), title: tokenTooltip(token) }),
                el('span', { className: 'pin', text: pinned ? ' (pinned, Esc to unpin)' : '' })),
            facts,
            charts,
        );
    }

    /** Bars are plain DOM with a CSSOM width (allowed by the CSP, unlike style attributes in markup). */
    private chart(title: string, rows: AlternativeRow[], token: ProbabilityToken, branchable: boolean): HTMLElement {
        const list = el('ol', { className: 'chart' });
        for (const row of rows) {
            const bar = el('span', { className: 'bar' });
            bar.style.width = `${(barFraction(row.prob) * 100).toFixed(2)}%`;
            const item = el('li', { className: row.actual ? 'actual' : '' },
                el('code', { className: 'alt', text: quotedToken(row.text), title: `token id ${row.id}\n${tokenTooltip(row)}` }),
                el('span', { className: 'bar-track' }, bar),
                el('span', { className: 'prob', text: formatProbability(row.prob) }));
            if (branchable && token.index > 0) {
                const button = el('button', {
                    className: 'branch secondary',
                    text: row.actual ? 'actual' : 'Branch',
                    title: row.actual ? 'The token at this position' : 'Continue generation from this token instead',
                });
                button.disabled = row.actual;
                button.addEventListener('click', () => this.host.send(branchCommand, { index: token.index, tokenId: row.id }));
                item.append(button);
            }
            list.append(item);
        }
        return el('div', { className: 'chart-box' }, el('h3', { text: title }), list);
    }

    private renderBranches(): void {
        const list = this.view.panel.branches;
        if (list.length === 0) {
            this.branches.replaceChildren();
            return;
        }
        this.branches.replaceChildren(el('h2', { text: 'Branches' }), ...list.map(b => this.branchCard(b)));
    }

    private branchCard(branch: Branch): HTMLElement {
        const original = this.tokenList[branch.fromIndex];
        const head = el('div', { className: 'branch-head' },
            el('span', { text: `At #${branch.fromIndex}: ` }),
            el('code', { text: quotedToken(original === undefined ? '' : standaloneText(original)) }),
            el('span', { text: ' → ' }),
            el('code', { text: quotedToken(branch.token.text) }),
            el('span', { className: `branch-status ${branch.status}`, text: ` ${branch.status}${branch.error !== undefined ? `: ${branch.error}` : ''}` }));
        if (branch.status === 'running') {
            const cancel = el('button', { text: 'Cancel', className: 'secondary' });
            cancel.addEventListener('click', () => this.host.send(cancelBranchCommand, { id: branch.id }));
            head.append(cancel);
        }
        const column = (title: string, first: string, rest: string) => el('div', { className: 'branch-column' },
            el('h3', { text: title }),
            el('pre', {}, el('mark', { text: first }), document.createTextNode(rest)));
        const originalRest = originalContinuation(this.tokenList, branch.fromIndex + 1);
        return el('article', { className: 'branch-card' }, head, el('div', { className: 'branch-columns' },
            column('Original', original?.text ?? '', originalRest),
            column('Branch', branch.token.text, branch.text)));
    }
}
