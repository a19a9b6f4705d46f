import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import { keepFocus } from '../shared/keepFocus';
import { onThemeChange } from '../shared/themeChanges';
import type { VsCodeApi } from '../shared/vscodeApi';
import { quotedLabel } from '../tokenProbabilities/displayText';
import { tokenLabel } from '../../core/tokens/pieceSummary';
import type { TokenText } from '../../shared/tokenText';
import { legendStops } from './colorMap';
import { viewSuffix } from '../../core/panels/attention/exportReport';
import { limitFailure, limitHelp, unavailableHelp } from '../../core/panels/attention/failure';
import { HeadThumbnails, type Thumbnail } from './HeadThumbnails';
import { HeatmapCanvas, type Cell } from './HeatmapCanvas';
import { kvHeadOf, matrixOf, meanOfHeads, slotOf } from '../../core/panels/attention/headMean';
import {
    exportRequest, layerCommand, recomputeCommand, stateNotification,
    type AttentionReport, type ContrastScale, type ExportFormat, type HeadChoice, type ViewState,
} from '../../shared/protocols/attention';
import { TokenLinesView } from './TokenLinesView';

const defaultView: Omit<ViewState, 'panel'> = { layer: 0, head: 'mean', allHeads: false, contrast: 'sqrt' };

/**
 * The attention panel. The host sends the whole panel state after `ready` and on every change; the view's own
 * choices (layer, head, grid, contrast, pinned token) live here and in setState, which VS Code keeps while the panel
 * is hidden and hands to the serializer on reload.
 */
export class AttentionApp {
    private view: ViewState;
    private readonly header = el('header', { className: 'header' });
    private readonly status = el('div', { className: 'status', attrs: { role: 'status' } });
    private readonly notice = el('section', { className: 'notice' });
    private readonly thumbnails = new HeadThumbnails(choice => this.setView({ head: choice }));
    private readonly heatmap = new HeatmapCanvas(cell => this.showCell(cell), query => this.pin(this.view.query === query ? undefined : query));
    private readonly readout = el('div', { className: 'readout', attrs: { 'aria-live': 'polite' } });
    private readonly tokenView = new TokenLinesView(query => this.pin(query));
    private readonly body = el('div', { className: 'maps' });
    private matrixCache: { report: AttentionReport; key: string; matrix: number[][] | undefined } | undefined;

    constructor(private readonly root: HTMLElement, private readonly host: HostConnection, private readonly api: VsCodeApi<ViewState>) {
        const saved = api.getState();
        this.view = saved !== undefined ? { ...defaultView, ...saved } : { ...defaultView, panel: { title: '', phase: 'computing' } };
    }

    start(): void {
        this.host.onNotification(stateNotification, panel => {
            this.view = { ...this.view, panel };
            const report = panel.report;
            if (report !== undefined) {
                if (this.view.query !== undefined && this.view.query >= report.tokens.length) this.view.query = undefined;
                if (typeof this.view.head === 'number' && this.view.head >= report.heads) this.view.head = 'mean';
                if (slotOf(report, this.view.layer) === undefined && panel.pendingLayer === undefined && report.layers.length > 0
                    && !(panel.phase === 'failed' && this.view.layer < report.modelLayers)) {
                    this.view.layer = report.layers[0]!;
                }
            }
            this.renderAll();
        });
        this.root.replaceChildren(this.header, this.status, this.notice, this.body);
        window.addEventListener('resize', () => this.tokenView.relayout());
        // The heatmap's background, labels and cursor are theme colours painted on a canvas.
        onThemeChange(() => keepFocus(this.root, () => this.renderMaps()));
        this.renderAll();
        this.host.ready();
    }

    private save(): void {
        this.api.setState(this.view);
    }

    private setView(change: Partial<Omit<ViewState, 'panel'>>): void {
        this.view = { ...this.view, ...change };
        const report = this.view.panel.report;
        if (change.layer !== undefined && report !== undefined && slotOf(report, change.layer) === undefined) {
            this.host.send(layerCommand, { layer: change.layer });
        }
        this.renderAll();
    }

    private pin(query: number | undefined): void {
        this.view.query = query;
        this.save();
        keepFocus(this.root, () => this.renderMaps());
    }

    /** Also after the user's own changes (a layer picked with the arrow keys), so the focus stays on the control. */
    private renderAll(): void {
        this.save();
        keepFocus(this.root, () => {
            this.renderHeader();
            this.renderStatus();
            this.renderNotice();
            this.renderMaps();
        });
    }

    private renderHeader(): void {
        const { panel } = this.view;
        const report = panel.report;
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string, title?: string) => facts.append(el('dt', { text: label }), el('dd', { text: value, title }));
        if (report !== undefined) {
            fact('Model', report.model);
            fact('Tokens', String(report.tokens.length));
            fact('Layers', String(report.modelLayers));
            fact('Heads', `${report.heads} query, ${report.kvHeads} KV`, report.heads === report.kvHeads ? undefined : 'grouped-query attention: query heads share KV heads');
            fact('Capture', `${report.timing.ms} ms (layer ${report.layers[report.layers.length - 1] ?? '–'})`);
            if (report.computedOn.copy) fact('Computed on', 'a CPU copy of the model', report.computedOn.reason);
        }
        const toolbar = el('div', { className: 'toolbar' });
        if (report !== undefined) toolbar.append(...this.selectors(report));
        const legend = el('div', { className: 'legend', attrs: { 'aria-hidden': 'true' } });
        for (const stop of legendStops(this.view.contrast)) {
            const swatch = el('span', { className: 'swatch', text: stop.label });
            swatch.style.background = stop.color;
            legend.append(swatch);
        }
        const actions = el('div', { className: 'actions' });
        const matrix = this.currentMatrix();
        for (const format of ['png', 'json'] as ExportFormat[]) {
            const button = el('button', { text: `Export ${format.toUpperCase()}`, className: 'secondary', title: format === 'png' ? 'The heatmap on screen' : 'The captured layers, as promptscope attention --json' });
            button.disabled = format === 'png' ? matrix === undefined : report === undefined;
            button.addEventListener('click', () => void this.export(format));
            actions.append(button);
        }
        const recompute = el('button', { text: 'Recompute', className: 'secondary', title: 'Render the prompt again and capture its attention' });
        recompute.disabled = panel.phase === 'computing' || (panel.promptUri === undefined && panel.inspected !== true);
        recompute.addEventListener('click', () => this.host.send(recomputeCommand, undefined));
        actions.append(recompute);
        toolbar.append(legend, actions);
        this.header.replaceChildren(el('h1', { text: panel.title === '' ? 'Attention' : `Attention — ${panel.title}` }), facts, toolbar);
    }

    /** Native selects and a checkbox: keyboard operable as they are, and labelled for screen readers. */
    private selectors(report: AttentionReport): HTMLElement[] {
        const select = <T extends string | number>(label: string, options: { value: T; text: string }[], current: T, onChange: (value: T) => void) => {
            const control = el('select', { attrs: { 'aria-label': label } });
            for (const option of options) {
                const node = el('option', { text: option.text, attrs: { value: String(option.value) } });
                node.selected = option.value === current;
                control.append(node);
            }
            control.addEventListener('change', () => onChange(options[control.selectedIndex]!.value));
            return el('label', { className: 'control' }, el('span', { text: label }), control);
        };
        const layers = Array.from({ length: report.modelLayers }, (_, layer) => ({
            value: layer, text: `${layer}${slotOf(report, layer) === undefined ? ' (capture)' : ''}`,
        }));
        const heads: { value: string; text: string }[] = [{ value: 'mean', text: `mean of ${report.heads}` },
            ...Array.from({ length: report.heads }, (_, h) => ({ value: String(h), text: report.heads === report.kvHeads ? `${h}` : `${h} (KV ${kvHeadOf(h, report.heads, report.kvHeads)})` }))];
        const grid = el('input', { attrs: { type: 'checkbox' } });
        grid.checked = this.view.allHeads;
        grid.addEventListener('change', () => this.setView({ allHeads: grid.checked }));
        return [
            select('Layer', layers, this.view.layer, layer => this.setView({ layer })),
            select('Head', heads, String(this.view.head), value => this.setView({ head: value === 'mean' ? 'mean' : Number(value) })),
            el('label', { className: 'control' }, grid, el('span', { text: 'All heads' })),
            select<ContrastScale>('Scale', [{ value: 'sqrt', text: '√ weight' }, { value: 'linear', text: 'linear' }], this.view.contrast, contrast => this.setView({ contrast })),
        ];
    }

    private renderStatus(): void {
        const { phase, message, pendingLayer } = this.view.panel;
        this.status.className = `status ${phase}`;
        this.status.textContent = phase === 'computing' ? `Capturing attention${pendingLayer !== undefined ? ` of layer ${pendingLayer}` : ''}…`
            : phase === 'failed' ? `Failed: ${message ?? 'see the Promptscope log'}`
                : phase === 'unavailable' ? 'Attention capture is unavailable.'
                    : message ?? 'Rows are query tokens, columns the tokens they attend to. Hover a cell or a token; click or Enter pins a token.';
    }

    private renderNotice(): void {
        const { phase, message } = this.view.panel;
        const limit = limitFailure(this.view.panel);
        if (phase === 'unavailable') {
            this.notice.className = 'notice warning';
            this.notice.replaceChildren(el('h2', { text: 'Attention capture unavailable' }), el('p', { className: 'reason', text: message ?? '' }), el('p', { text: unavailableHelp }));
        } else if (limit !== undefined) {
            this.notice.className = 'notice warning';
            this.notice.replaceChildren(el('h2', { text: 'Prompt too long for an attention map' }), el('p', { className: 'reason', text: limit.message }), el('p', { text: limitHelp(limit) }));
        } else {
            this.notice.className = 'notice';
            this.notice.replaceChildren();
        }
    }

    /** Memoized: the mean over 32 heads of a 512² map is 8M additions, too many for every pointer move. */
    private currentMatrix(): number[][] | undefined {
        const report = this.view.panel.report;
        if (report === undefined) return undefined;
        const key = `${this.view.layer}|${this.view.head}`;
        if (this.matrixCache?.report !== report || this.matrixCache.key !== key) {
            this.matrixCache = { report, key, matrix: matrixOf(report, this.view.layer, this.view.head) };
        }
        return this.matrixCache.matrix;
    }

    private headLabel(): string {
        return `layer ${this.view.layer}, ${this.view.head === 'mean' ? 'mean of heads' : `head ${this.view.head}`}`;
    }

    private renderMaps(): void {
        const report = this.view.panel.report;
        const matrix = this.currentMatrix();
        if (report === undefined || matrix === undefined) {
            this.body.replaceChildren();
            return;
        }
        // The heatmap's axes label every token on its own: a piece of a split character says which (`⟨正 1/3⟩`).
        const labels = report.tokens.map(tokenLabel);
        const parts: HTMLElement[] = [];
        if (this.view.allHeads) {
            const slot = slotOf(report, this.view.layer)!;
            const heads = report.attention[slot]!;
            const thumbnails: Thumbnail[] = [{ choice: 'mean', label: 'mean', matrix: meanOfHeads(heads) },
                ...heads.map((m, h) => ({ choice: h as HeadChoice, label: `head ${h}`, matrix: m }))];
            this.thumbnails.render(thumbnails, this.view.contrast, this.view.head, Math.max(240, this.root.clientWidth - 32));
            parts.push(el('h2', { text: `All heads of layer ${this.view.layer}` }), this.thumbnails.element);
        }
        this.heatmap.draw(matrix, labels, this.view.contrast, this.view.query, this.headLabel());
        this.tokenView.setTokens(report.tokens);
        parts.push(el('h2', { text: `Heatmap — ${this.headLabel()}` }), el('div', { className: 'heatmap-box' }, this.heatmap.element), this.readout,
            el('h2', { text: 'Tokens' }), this.tokenView.element, this.tokenView.summary);
        this.body.replaceChildren(...parts);
        this.tokenView.show(matrix, this.view.query);
    }

    private showCell(cell: Cell | undefined): void {
        const report = this.view.panel.report;
        const matrix = this.currentMatrix();
        if (cell === undefined || report === undefined || matrix === undefined) {
            this.readout.textContent = '';
            return;
        }
        const weight = matrix[cell.query]?.[cell.key] ?? 0;
        this.readout.replaceChildren(
            el('span', { text: `query #${cell.query} ` }), el('code', { text: label(report.tokens[cell.query]) }),
            el('span', { text: ` → key #${cell.key} ` }), el('code', { text: label(report.tokens[cell.key]) }),
            el('span', { text: `: ${(weight * 100).toFixed(2)}%` }));
    }

    private async export(format: ExportFormat): Promise<void> {
        const params = format === 'png'
            ? { format, dataUrl: this.heatmap.toPng(), suffix: viewSuffix(this.view.layer, this.view.head) }
            : { format };
        const result = await this.host.request(exportRequest, params).catch((error: unknown): { path?: string; error?: string } => ({ error: failureMessage(error) }));
        if (result.error !== undefined) this.status.textContent = `Export failed: ${result.error}`;
        else if (result.path !== undefined) this.status.textContent = `Exported to ${result.path}`;
    }
}

function label(token: TokenText | undefined): string {
    return token === undefined ? '' : quotedLabel(token);
}
