import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import type { VsCodeApi } from '../shared/vscodeApi';
import {
    exportRequest, stateNotification, type EvaluationState, type ExportFormat, type PathView, type RowView, type SummaryView, type VariantView,
} from '../../shared/protocols/evaluation';
import { formatPercent, voteHistogram } from './voteHistogram';
import { ReasoningTraceView, type TraceViewState } from '../shared/ReasoningTraceView';

/** What the webview keeps with setState: the host's state and which examples are expanded. */
export interface EvaluationViewState {
    evaluation: EvaluationState;
    open: number[];
    /** Each row's trace tree: what is collapsed and focused (by row index). */
    traces?: Record<number, TraceViewState>;
}

/**
 * Strategies whose rows show their reasoning trace tree. The others' rows already show all their trace holds: the
 * output (and cot's reasoning), or the paths and variants listed with their answers.
 */
const tracedStrategies: readonly string[] = ['program-aided', 'tree-of-thought', 'self-ask'];

/** What one voted sample of each strategy is called. */
const sampleNames: Record<string, string> = { 'program-aided': 'programs', 'tree-of-thought': 'searches', 'self-ask': 'chains' };

/**
 * The dataset evaluation panel: the accuracy table (per label for label tasks), the unmapped count, the confusion
 * matrix, then one expandable example per row with its vote histogram and its paths or variants. Model text and
 * dataset text only ever go in through textContent (src/webview/shared/dom.ts).
 */
export class EvaluationApp {
    private view: EvaluationViewState;
    private readonly header = el('header', { className: 'header' });
    private readonly status = el('div', { className: 'status', attrs: { role: 'status' } });
    private readonly summary = el('section', { className: 'summary', attrs: { 'aria-label': 'Scores' } });
    private readonly examples = el('section', { className: 'examples', attrs: { 'aria-label': 'Examples' } });

    constructor(private readonly root: HTMLElement, private readonly host: HostConnection, private readonly api: VsCodeApi<EvaluationViewState>) {
        this.view = api.getState() ?? { evaluation: { prompt: '', dataset: '', strategy: 'direct', phase: 'running', total: 0, rows: [] }, open: [] };
    }

    start(): void {
        this.host.onNotification(stateNotification, evaluation => {
            this.view = { ...this.view, evaluation };
            this.render();
        });
        this.root.replaceChildren(this.header, this.status, this.summary, this.examples);
        this.render();
        this.host.ready();
    }

    private render(): void {
        this.api.setState(this.view);
        this.renderHeader();
        this.renderStatus();
        this.renderSummary();
        this.renderExamples();
    }

    private renderHeader(): void {
        const e = this.view.evaluation;
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string) => facts.append(el('dt', { text: label }), el('dd', { text: value }));
        fact('Strategy', e.samples !== undefined ? `${e.strategy} (${e.samples} ${sampleNames[e.strategy] ?? 'paths'})` : e.strategy);
        if (e.model !== undefined) fact('Model', e.model);
        fact('Rows', `${e.rows.length} of ${e.total}`);
        if (e.history !== undefined) fact('History', e.history);
        const actions = el('div', { className: 'actions' });
        for (const format of ['csv', 'json'] as ExportFormat[]) {
            const button = el('button', { text: `Export ${format.toUpperCase()}`, className: 'secondary' });
            button.disabled = e.rows.length === 0;
            button.addEventListener('click', () => void this.host.request(exportRequest, { format }).catch((error: unknown) => this.showExportFailure(error)));
            actions.append(button);
        }
        this.header.replaceChildren(
            el('h1', { text: e.prompt === '' ? 'Evaluation' : `Evaluation — ${e.prompt} on ${e.dataset}` }),
            el('div', { className: 'toolbar' }, facts, actions),
        );
    }

    private renderStatus(): void {
        const { phase, message, rows, total } = this.view.evaluation;
        this.status.className = `status ${phase}`;
        this.status.textContent = phase === 'running' ? `Evaluating… ${rows.length}/${total} rows`
            : phase === 'failed' ? `Failed: ${message ?? 'see the Promptscope log'}`
                : phase === 'cancelled' ? `Cancelled: ${message ?? `${rows.length} of ${total} rows done`}`
                    : `Done: ${rows.length} rows`;
    }

    /** Until the next state: an export whose host handler failed (the page's promise rejected with its error). */
    private showExportFailure(error: unknown): void {
        this.status.className = 'status failed';
        this.status.textContent = `Export failed: ${failureMessage(error)}`;
    }

    private renderSummary(): void {
        const summary = this.view.evaluation.summary;
        if (summary === undefined) {
            this.summary.replaceChildren();
            return;
        }
        this.summary.replaceChildren(el('h2', { text: 'Accuracy' }), accuracyTable(this.view.evaluation.strategy, summary));
        if (summary.perLabel !== undefined) this.summary.append(el('h2', { text: 'Per label' }), perLabelTable(summary));
        if (summary.confusion !== undefined) this.summary.append(el('h2', { text: 'Confusion matrix' }), confusionTable(summary.confusion));
    }

    private renderExamples(): void {
        const rows = this.view.evaluation.rows;
        const items = rows.map(row => this.example(row));
        this.examples.replaceChildren(...(rows.length > 0 ? [el('h2', { text: 'Examples' })] : []), ...items);
    }

    private example(row: RowView): HTMLElement {
        const details = el('details', { className: `example ${row.correct ? 'correct' : 'wrong'}` });
        details.open = this.view.open.includes(row.index);
        details.addEventListener('toggle', () => {
            const open = new Set(this.view.open);
            if (details.open) open.add(row.index);
            else open.delete(row.index);
            this.view.open = [...open];
            this.api.setState(this.view);
        });
        const mark = el('span', { className: 'mark', text: row.correct ? '✓' : '✗', attrs: { 'aria-label': row.correct ? 'correct' : 'wrong' } });
        const title = el('span', { className: 'title', text: `#${row.index + 1} expected ${row.expected}, answered ${row.answer ?? 'unmapped'}` });
        const summary = el('summary', {}, mark, title);
        const histogram = histogramOf(row);
        if (histogram !== undefined) summary.append(histogram);
        details.append(summary);

        const body = el('div', { className: 'example-body' });
        body.append(el('h3', { text: 'Input' }), inputList(row.input));
        if (row.reasoning !== undefined) body.append(el('h3', { text: 'Reasoning' }), el('pre', { text: row.reasoning }));
        if (row.output !== undefined) body.append(el('h3', { text: 'Output' }), el('pre', { text: row.output }));
        if (row.rawAnswer !== null && row.paths === undefined && row.variants === undefined) body.append(el('p', { text: `Extracted answer: ${row.rawAnswer}` }));
        if (row.tie) body.append(el('p', { className: 'tie', text: 'Tie: the answer that appeared first won.' }));
        if (row.paths !== undefined) body.append(el('h3', { text: `Paths (${row.paths.length})` }), ...row.paths.map((p, i) => pathItem(p, i)));
        if (row.variants !== undefined) body.append(el('h3', { text: `Variants (${row.variants.length})` }), ...row.variants.map(variantItem));
        if (row.trace !== undefined && tracedStrategies.includes(row.trace.strategy)) {
            const traces = this.view.traces ??= {};
            const state = traces[row.index] ??= { collapsed: [] };
            body.append(el('h3', { text: 'Reasoning trace' }), new ReasoningTraceView(row.trace, state, `Row ${row.index + 1}`, () => this.api.setState(this.view)).element);
        }
        body.append(el('p', { className: 'timing', text: `${Math.round(row.ms)} ms` }));
        details.append(body);
        return details;
    }
}

function accuracyTable(strategy: string, summary: SummaryView): HTMLTableElement {
    return table(['strategy', 'accuracy', 'correct', 'rows', 'unmapped', 'tokens (prompt + generated)', 'time'], [[
        strategy, formatPercent(summary.accuracy), String(summary.correct), String(summary.n), String(summary.unmapped),
        `${summary.tokens.prompt} + ${summary.tokens.generated}`, `${(summary.ms / 1000).toFixed(1)} s`,
    ]], 'accuracy');
}

function perLabelTable(summary: SummaryView): HTMLTableElement {
    const rows = Object.entries(summary.perLabel ?? {}).map(([label, c]) => [
        label, String(c.expected), String(c.predicted), String(c.correct), formatPercent(c.precision), formatPercent(c.recall),
    ]);
    return table(['label', 'expected', 'answered', 'correct', 'precision', 'recall'], rows, 'per-label');
}

function confusionTable(confusion: { labels: string[]; matrix: number[][] }): HTMLTableElement {
    const rows = confusion.labels.map((label, i) => [label, ...confusion.matrix[i]!.map(String)]);
    const result = table(['expected \\ answered', ...confusion.labels, 'unmapped'], rows, 'confusion');
    // The diagonal is what went right.
    result.querySelectorAll('tbody tr').forEach((tr, i) => tr.children[i + 1]?.classList.add('diagonal'));
    return result;
}

function table(headers: string[], rows: string[][], className: string): HTMLTableElement {
    const head = el('thead', {}, el('tr', {}, ...headers.map(h => el('th', { text: h, attrs: { scope: 'col' } }))));
    const body = el('tbody', {}, ...rows.map(r => el('tr', {}, ...r.map((cell, i) => i === 0 ? el('th', { text: cell, attrs: { scope: 'row' } }) : el('td', { text: cell })))));
    return el('table', { className }, head, body);
}

/** Inline bars of a row's votes (self-consistency paths, ensemble variants); undefined for single-answer strategies. */
function histogramOf(row: RowView): HTMLElement | undefined {
    const bars = voteHistogram(row);
    if (bars.length === 0) return undefined;
    const list = el('span', { className: 'histogram', attrs: { role: 'img', 'aria-label': bars.map(b => `${b.answer} ${b.count}`).join(', ') } });
    for (const bar of bars) {
        const fill = el('span', { className: 'fill' });
        fill.style.width = `${Math.max(2, Math.round(bar.fraction * 100))}%`;
        const classes = ['bar', bar.winner ? 'winner' : '', bar.expected ? 'expected' : '', bar.unmapped ? 'unmapped' : ''].filter(Boolean).join(' ');
        list.append(el('span', { className: classes, title: `${bar.answer}: ${bar.count} (${formatPercent(bar.fraction)})` },
            el('span', { className: 'answer', text: bar.answer }), el('span', { className: 'track' }, fill), el('span', { className: 'count', text: String(bar.count) })));
    }
    return list;
}

function inputList(input: Record<string, unknown>): HTMLElement {
    const list = el('dl', { className: 'input' });
    for (const [name, value] of Object.entries(input)) {
        list.append(el('dt', { text: name }), el('dd', { text: typeof value === 'string' ? value : JSON.stringify(value) }));
    }
    return list;
}

function pathItem(path: PathView, index: number): HTMLElement {
    const logprob = path.meanLogprob === null ? '' : `, mean log-prob ${path.meanLogprob.toFixed(3)}`;
    return el('details', { className: 'path' },
        el('summary', { text: `Path ${index + 1} → ${path.answer ?? 'unmapped'} (seed ${path.seed ?? '?'}${logprob})` }),
        el('pre', { text: path.text }));
}

function variantItem(variant: VariantView): HTMLElement {
    return el('details', { className: 'path' },
        el('summary', { text: `${variant.file} → ${variant.answer ?? 'unmapped'}` }),
        el('pre', { text: variant.text }));
}
