import { el } from '../shared/dom';
import { colouredTokensView, type ColouredToken } from '../shared/colouredTokens';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import { keepFocus } from '../shared/keepFocus';
import type { VsCodeApi } from '../shared/vscodeApi';
import { heat, heatColor, legendStops } from '../tokenProbabilities/colorScale';
import { quotedToken } from '../tokenProbabilities/displayText';
import { formatPerplexity, formatProbability } from '../../core/panels/tokenProbabilities/metrics';
import { columnTitle, samplePreset } from '../../core/panels/decodingLab/columns';
import { DecodingSettingsError } from '../../shared/errors/DecodingSettingsError';
import type { DecodingSettings } from '../../shared/decoding';
import {
    addColumnRequest, cancelCommand, exportColumnRequest, recomputeCommand, removeColumnRequest, setMaxTokensRequest, stateNotification,
    updateColumnRequest, type ColumnFailureKind, type DecodedSequenceView, type DecodingColumn, type LabState, type LabViewState,
} from '../../shared/protocols/decodingLab';
import { BeamTreeView, type TreeViewState } from './BeamTreeView';
import { draftFromSettings, settingFields, settingsFromDraft } from './columnFields';

/** What each kind of failure is called in a column (the message, from the error's class, follows). */
const failureTitles: Record<ColumnFailureKind, string> = {
    cancelled: 'Cancelled',
    settings: 'Invalid setting',
    sampling: 'Invalid sampling option',
    contextOverflow: 'Does not fit the context',
    addonUnavailable: 'Unavailable without the native addon',
    noModel: 'No model',
    runtimeStopped: 'The runtime stopped',
    other: 'Failed',
};

/** The columns one can add, each with the settings it starts from. */
const additions: { id: string; label: string; settings: () => DecodingSettings }[] = [
    { id: 'greedy', label: 'Greedy', settings: () => ({ method: 'greedy' }) },
    { id: 'beam', label: 'Beam search (k = 4)', settings: () => ({ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 3, groups: 1, diversityPenalty: 0 }) },
    { id: 'diverseBeam', label: 'Diverse beam search (k = 4, 2 groups)', settings: () => ({ method: 'beam', beams: 4, lengthPenalty: 1, nBest: 4, groups: 2, diversityPenalty: 1 }) },
    { id: 'balanced', label: 'Sample: balanced preset', settings: () => samplePreset('balanced', 1) },
    { id: 'creative', label: 'Sample: creative preset', settings: () => samplePreset('creative', 1) },
    { id: 'greedyPreset', label: 'Sample: greedy preset (T = 0)', settings: () => samplePreset('greedy', 1) },
];

/**
 * The Decoding Lab page. The host sends the whole {@link LabState} after `ready` and on every change; the page keeps
 * what the user typed but has not applied (drafts) and each tree's open steps and focus. Every action is a request;
 * a refusal (DecodingSettingsError, revived by class) is shown on its column, naming the setting. Model text is
 * textContent only.
 */
export class DecodingLabApp {
    private view: LabViewState;
    private readonly drafts = new Map<number, Record<string, string>>();
    private readonly requestErrors = new Map<number, { message: string; field?: string }>();
    private headerError: string | undefined;
    private readonly header = el('header', { className: 'header' });
    private readonly status = el('p', { className: 'status', attrs: { role: 'status' } });
    private readonly columns = el('div', { className: 'columns', attrs: { role: 'list', 'aria-label': 'Decoding methods side by side' } });

    constructor(private readonly root: HTMLElement, private readonly host: HostConnection, private readonly api: VsCodeApi<LabViewState>) {
        this.view = api.getState() ?? { lab: { title: '', phase: 'computing', maxTokens: 32, columns: [] } };
    }

    start(): void {
        this.host.onNotification(stateNotification, lab => {
            this.view = { ...this.view, lab };
            this.render();
        });
        this.root.replaceChildren(this.header, this.status, this.columns);
        this.render();
        this.host.ready();
    }

    private save(): void {
        this.api.setState(this.view);
    }

    private render(): void {
        this.save();
        keepFocus(this.root, () => {
            this.renderHeader();
            this.renderStatus();
            this.columns.replaceChildren(...this.view.lab.columns.map(c => this.renderColumn(c)));
        });
    }

    private renderHeader(): void {
        const { lab } = this.view;
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string) => facts.append(el('dt', { text: label }), el('dd', { text: value }));
        if (lab.model !== undefined) fact('Model', lab.model);
        if (lab.sampling !== undefined) fact('Prompt sampling', lab.sampling);
        fact('Figures', 'raw model log-probabilities (temperature 1, no filters), exact F32 KV cache');

        const maxTokens = el('input', { attrs: { id: 'max-tokens', type: 'number', min: '1', step: '1', 'aria-label': 'Max tokens per column' } });
        maxTokens.value = String(lab.maxTokens);
        const applyMax = () => void this.host.request(setMaxTokensRequest, { maxTokens: Number(maxTokens.value) })
            .then(() => this.setHeaderError(undefined), (error: unknown) => this.setHeaderError(failureMessage(error)));
        maxTokens.addEventListener('keydown', event => {
            if (event.key === 'Enter') applyMax();
        });
        const applyMaxButton = el('button', { text: 'Apply', className: 'secondary', attrs: { id: 'apply-max-tokens' } });
        applyMaxButton.addEventListener('click', applyMax);

        const addSelect = el('select', { attrs: { id: 'add-method', 'aria-label': 'Column to add' } });
        for (const addition of additions) addSelect.append(el('option', { text: addition.label, attrs: { value: addition.id } }));
        const addButton = el('button', { text: 'Add column', attrs: { id: 'add-column' } });
        addButton.addEventListener('click', () => {
            const addition = additions.find(a => a.id === addSelect.value) ?? additions[0]!;
            void this.host.request(addColumnRequest, { settings: addition.settings() })
                .then(() => this.setHeaderError(undefined), (error: unknown) => this.setHeaderError(failureMessage(error)));
        });
        const computing = lab.phase === 'computing';
        const recompute = el('button', { text: 'Decode all again', className: 'secondary', attrs: { id: 'recompute' }, title: 'Prepare the prompt again and decode every column' });
        recompute.disabled = computing || (lab.promptUri === undefined && lab.inspected !== true);
        recompute.addEventListener('click', () => this.host.send(recomputeCommand, undefined));
        const cancel = el('button', { text: 'Cancel', className: 'secondary', attrs: { id: 'cancel' } });
        cancel.disabled = !computing;
        cancel.addEventListener('click', () => this.host.send(cancelCommand, undefined));

        const legend = el('div', { className: 'legend', attrs: { 'aria-hidden': 'true' } }, el('span', { className: 'label', text: 'Token probability' }));
        for (const stop of legendStops('probability')) {
            const swatch = el('span', { className: 'swatch', text: stop.label });
            swatch.style.background = stop.color;
            legend.append(swatch);
        }
        this.header.replaceChildren(
            el('h1', { text: lab.title === '' ? 'Decoding Lab' : `Decoding Lab — ${lab.title}` }),
            facts,
            el('div', { className: 'toolbar' },
                el('label', { text: 'Max tokens', attrs: { for: 'max-tokens' } }), maxTokens, applyMaxButton,
                el('label', { text: 'Add', attrs: { for: 'add-method' } }), addSelect, addButton, recompute, cancel),
            legend,
            el('p', { className: 'error', text: this.headerError ?? '', attrs: { role: 'alert', id: 'header-error' } }),
        );
    }

    private setHeaderError(message: string | undefined): void {
        this.headerError = message;
        keepFocus(this.root, () => this.renderHeader());
    }

    private renderStatus(): void {
        const { phase, message, columns } = this.view.lab;
        const running = columns.find(c => c.phase === 'running');
        this.status.className = `status ${phase}`;
        this.status.textContent = phase === 'computing' ? (running !== undefined ? `Decoding: ${columnTitle(running.settings)}…` : (message ?? 'Preparing the prompt…'))
            : phase === 'failed' ? `Failed: ${message ?? 'see the Promptscope log'}`
                : message ?? `${columns.length} column${columns.length === 1 ? '' : 's'} decoded. Focus a token (arrow keys) for its probability.`;
    }

    private renderColumn(column: DecodingColumn): HTMLElement {
        const title = columnTitle(column.settings);
        const requestError = this.requestErrors.get(column.id);
        const card = el('article', { className: `column ${column.phase}`, attrs: { role: 'listitem', 'aria-label': `Column ${column.id}: ${title}`, 'data-column': String(column.id) } },
            el('h2', { text: title }),
            this.settingsForm(column, requestError?.field),
            el('p', { className: 'error', text: requestError?.message ?? '', attrs: { role: 'alert' } }),
        );
        if (column.phase === 'pending' || column.phase === 'running') {
            card.append(el('p', { className: 'hint phase', text: column.phase === 'running' ? 'Decoding…' : 'Waiting to decode…' }));
        } else if (column.phase === 'failed') {
            const failure = column.failure;
            card.append(el('p', { className: `failure ${failure?.kind ?? 'other'}`, attrs: { 'data-failure': failure?.kind ?? 'other' } },
                el('strong', { text: `${failureTitles[failure?.kind ?? 'other']}: ` }), el('span', { text: failure?.message ?? 'see the Promptscope log' })));
        } else {
            const results = column.results ?? [];
            results.forEach((sequence, i) => card.append(this.sequence(column, sequence, i, results.length)));
            if (column.ms !== undefined) card.append(el('p', { className: 'hint', text: `${column.ms} ms` }));
            if (column.tree !== undefined) {
                const trees = this.view.trees ??= {};
                const state: TreeViewState = trees[column.id] ??= { expanded: [] };
                card.append(new BeamTreeView(column.tree, state, `Column ${column.id}`, () => this.save()).element);
            }
        }
        return card;
    }

    private settingsForm(column: DecodingColumn, invalid: string | undefined): HTMLElement {
        const { method } = column.settings;
        const draft = this.drafts.get(column.id) ?? draftFromSettings(column.settings);
        const form = el('div', { className: 'settings', attrs: { role: 'group', 'aria-label': `Column ${column.id} settings` } });
        for (const field of settingFields(method)) {
            const id = `col-${column.id}-${field.key}`;
            const input = el('input', {
                attrs: { id, type: 'number', step: field.step, 'aria-label': `Column ${column.id} ${field.label}`, 'aria-invalid': String(invalid === field.key) },
                title: field.help,
            });
            input.value = draft[field.key] ?? '';
            input.addEventListener('input', () => {
                this.drafts.set(column.id, { ...(this.drafts.get(column.id) ?? draftFromSettings(column.settings)), [field.key]: input.value });
            });
            input.addEventListener('keydown', event => {
                if (event.key === 'Enter') this.apply(column);
            });
            form.append(el('label', { className: 'field', attrs: { for: id } }, el('span', { text: field.label })), input);
        }
        const actions = el('div', { className: 'column-actions' });
        if (settingFields(method).length > 0) {
            const apply = el('button', { text: 'Apply', className: 'secondary', attrs: { 'aria-label': `Apply the settings of column ${column.id}` } });
            apply.addEventListener('click', () => this.apply(column));
            actions.append(apply);
        }
        const exportButton = el('button', { text: column.settings.method === 'beam' ? 'Export tree JSON' : 'Export JSON', className: 'secondary', attrs: { 'aria-label': `Export column ${column.id} as JSON` } });
        exportButton.disabled = column.phase !== 'done';
        exportButton.addEventListener('click', () => void this.host.request(exportColumnRequest, { id: column.id })
            .then(() => this.setRequestError(column.id, undefined), (error: unknown) => this.setRequestError(column.id, error)));
        const remove = el('button', { text: 'Remove', className: 'secondary', attrs: { 'aria-label': `Remove column ${column.id}` } });
        remove.addEventListener('click', () => {
            this.drafts.delete(column.id);
            void this.host.request(removeColumnRequest, { id: column.id }).catch((error: unknown) => this.setRequestError(column.id, error));
        });
        actions.append(exportButton, remove);
        form.append(actions);
        return form;
    }

    private apply(column: DecodingColumn): void {
        const draft = this.drafts.get(column.id) ?? draftFromSettings(column.settings);
        void this.host.request(updateColumnRequest, { id: column.id, settings: settingsFromDraft(column.settings.method, draft) }).then(() => {
            this.drafts.delete(column.id);
            this.setRequestError(column.id, undefined);
        }, (error: unknown) => this.setRequestError(column.id, error));
    }

    /** A refused request stays on its column (the field named, for a bad setting) until the next one succeeds. */
    private setRequestError(id: number, error: unknown): void {
        if (error === undefined) this.requestErrors.delete(id);
        else this.requestErrors.set(id, { message: failureMessage(error), ...(error instanceof DecodingSettingsError ? { field: error.field } : {}) });
        this.render();
    }

    private sequence(column: DecodingColumn, sequence: DecodedSequenceView, i: number, count: number): HTMLElement {
        const facts = el('dl', { className: 'facts' });
        const fact = (label: string, value: string, title?: string) => facts.append(el('dt', { text: label }), el('dd', { text: value, title }));
        fact('log P', sequence.logprob.toFixed(4), 'sequence log-probability: the sum of the tokens\' raw natural-log probabilities');
        fact('Perplexity', formatPerplexity(sequence.perplexity), 'exp of the mean negative log-probability of the tokens');
        fact('Tokens', String(sequence.tokens.length));
        if (sequence.score !== undefined) fact('Score', sequence.score.toFixed(4), 'log P / length^α');
        if (sequence.finished !== undefined) fact('Ended', sequence.finished ? 'at an end token' : 'at max tokens');
        const tokens: ColouredToken[] = sequence.tokens.map((token, t) => ({
            text: token.text,
            className: 'lab-token',
            label: `#${t} ${quotedToken(token.text)}: P ${formatProbability(Math.exp(token.logprob))}, log P ${token.logprob.toFixed(4)}`,
        }));
        const [list, ...rest] = colouredTokensView(tokens, {
            ariaLabel: `Column ${column.id}${count > 1 ? ` hypothesis ${i + 1}` : ''}: tokens coloured by probability`,
            idle: 'Focus a token (arrow keys, Home and End move) or hover one: its probability.',
            className: 'sequence-tokens',
        });
        // The probabilities panel's colour scale, on each chip (CSSOM, which the CSP allows).
        [...list!.children].forEach((chip, t) => {
            (chip as HTMLElement).style.background = heatColor(heat('probability', Math.exp(sequence.tokens[t]!.logprob)));
        });
        return el('section', { className: 'sequence', attrs: { 'aria-label': count > 1 ? `Hypothesis ${i + 1}` : 'Decoded sequence' } },
            ...(count > 1 ? [el('h3', { text: `#${i + 1}` })] : []), facts, list, ...rest);
    }
}
