import { el } from '../shared/dom';
import type { HostConnection } from '../shared/HostConnection';
import type { VsCodeApi } from '../shared/vscodeApi';
import { keepFocus } from '../shared/keepFocus';
import { buildRequest } from '../../core/panels/playground/buildRequest';
import {
    button, checkbox, nativeTextControl, onPress, select, setDisabled, setOptions, textarea, textfield,
    type TextControl, type VscodeCheckbox,
} from './elements';
import { divergentKl, klTokensView } from './klTokens';
import { modelTooltip } from './modelTooltip';
import {
    activePreset, adaptersOf, addAdapterRow, addBiasRow, applyPreset, biasLimit, clampScale, maxAdapterScale, migrateForm, presets,
    removeBiasRow, updateBiasRow, withAdapters, type PresetName,
} from '../../core/panels/playground/form';
import {
    addAdapterRequest, chunkNotification, compareCommand, formChangedCommand, historyRequest, loadFormNotification, loadModelCommand,
    openPromptCommand, reopenCommand, runCommand, savedFormNotification, savePromptCommand, showAttentionCommand, showProbabilitiesCommand,
    stateNotification, stopCommand, switchModelRequest, tokenizeRequest, type AdapterRow, type CompareSide, type CompareState, type ConstraintKind, type FieldError, type FieldName, type HistoryEntry,
    type HostState, type PlaygroundForm, type SamplingForm,
} from '../../shared/protocols/playground';

/** What the page keeps with setState: the form as typed, and the host's last state so a reload shows the output at once. */
export interface PlaygroundViewState {
    form: PlaygroundForm;
    host?: HostState;
}

const samplingInputs: { key: Exclude<keyof SamplingForm, 'seedLocked' | 'stopSequences'>; label: string; step: string; hint: string }[] = [
    { key: 'temperature', label: 'Temperature', step: '0.05', hint: '0 = greedy' },
    { key: 'topK', label: 'Top-k', step: '1', hint: '0 = off' },
    { key: 'topP', label: 'Top-p', step: '0.01', hint: '(0, 1]' },
    { key: 'minP', label: 'Min-p', step: '0.01', hint: '[0, 1)' },
    { key: 'repeatPenalty', label: 'Repeat penalty', step: '0.05', hint: '1 = off' },
    { key: 'repeatLastTokens', label: 'Repeat last N', step: '1', hint: 'tokens the penalty looks back on' },
    { key: 'maxTokens', label: 'Max tokens', step: '1', hint: '' },
    { key: 'seed', label: 'Seed', step: '1', hint: 'random unless locked' },
];

/**
 * The playground page. The form is built once from @vscode-elements components (labelled, keyboard-operable; the
 * sliders stay native range inputs, which the library does not have); edits update
 * {@link form}, which is validated with the runtime's rules on every input. Model text (output, token pieces) is
 * only ever set through textContent.
 */
export class PlaygroundApp {
    private form: PlaygroundForm;
    private host: HostState | undefined;
    /** Whether the user has its own saved form (then the host's copy is not applied over it). */
    /**
     * The page's form wins over the one the extension saved: restored from the page's own state, or edited here before
     * the extension's arrived (its notification comes after the ready handshake, and must not wipe what was typed).
     */
    private ownForm: boolean;
    /** Errors of a refused Run are shown for every field; before that, an empty prompt is not flagged. */
    private attemptedRun = false;
    private readonly fields = new Map<string, TextControl>();
    /** The form's checkboxes and constraint radios, by id. */
    private readonly toggles = new Map<string, { checked: boolean }>();
    private readonly errorLines = new Map<FieldName, HTMLElement>();
    private readonly modelLine = el('span', { className: 'model-name', attrs: { id: 'model-line', tabindex: '0', 'aria-describedby': 'model-details' } });
    /**
     * The model line's GGUF metadata, shown while the line is hovered or focused: a tooltip of our own rather than a
     * `title`, so keyboard users get it too (and Escape dismisses it).
     */
    private readonly modelDetails = el('div', { className: 'model-details', attrs: { id: 'model-details', role: 'tooltip', hidden: '' } });
    /** Whether the model line is hovered or focused (and not dismissed with Escape): its details show when there are some. */
    private detailsWanted = false;
    private readonly recentSelect = select('recent-models', 'Switch to a recent model', []);
    private readonly hfInput = textfield('hf-uri', 'Hugging Face model URI', { placeholder: 'hf:owner/repo:Q4_K_M' });
    private readonly modelStatus = el('p', { className: 'hint', attrs: { id: 'model-status', 'aria-live': 'polite' } });
    private renderedRecent = '';
    private readonly presetSelect = select('preset', 'Preset', [...Object.keys(presets), 'custom']
        .map(name => [name, name === 'custom' ? 'Custom' : name[0]!.toUpperCase() + name.slice(1)] as const));
    private readonly biasRows = el('ul', { className: 'bias-rows', attrs: { 'aria-label': 'Biased words' } });
    private readonly biasWord = textfield('bias-word', 'Word', { placeholder: 'e.g. " yes" (leading space matters)' });
    private readonly biasStatus = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
    private readonly schemaBox = el('div', { className: 'constraint-box' });
    private readonly grammarBox = el('div', { className: 'constraint-box' });
    private readonly runButton = button('Run', { title: 'Run (Ctrl+Enter)' });
    private readonly stopButton = button('Stop', { secondary: true });
    private readonly status = el('p', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    private readonly output = el('pre', { className: 'output', attrs: { 'aria-label': 'Output', tabindex: '0' } });
    private readonly stats = el('dl', { className: 'facts' });
    private readonly probabilitiesButton = button('Show probabilities', { secondary: true, id: 'show-probabilities' });
    private readonly attentionButton = button('Show attention', { secondary: true, id: 'show-attention' });
    private readonly inspectHint = el('span', { className: 'hint', attrs: { id: 'inspect-hint' } });
    private readonly adapterRows = el('ul', { className: 'adapter-rows', attrs: { 'aria-label': 'LoRA adapters of this model' } });
    private readonly adapterStatus = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
    private readonly adapterNote = el('p', { className: 'hint adapter-note', attrs: { 'aria-live': 'polite' } });
    private readonly notice = el('p', { className: 'notice', attrs: { role: 'status', 'aria-live': 'polite' } });
    private readonly compareSides: Record<'a' | 'b', CompareSide> = {
        a: { preset: 'form', adapters: 'none', scale: '' },
        b: { preset: 'form', adapters: 'form', scale: '' },
    };
    private readonly compareButton = button('Compare');
    private readonly compareResult = el('div', { className: 'compare-result', attrs: { 'aria-live': 'polite' } });
    /** The compare state on screen (JSON), so that a host state with the same result does not rebuild it. */
    private renderedCompare: string | undefined;
    private renderedAdaptersFor: string | undefined;
    private readonly historyList = el('ol', { className: 'history', attrs: { 'aria-label': 'Recent runs' } });

    constructor(private readonly root: HTMLElement, private readonly connection: HostConnection, private readonly api: VsCodeApi<PlaygroundViewState>) {
        const saved = api.getState();
        this.ownForm = saved?.form !== undefined;
        this.form = migrateForm(saved?.form);
        this.host = saved?.host;
    }

    start(): void {
        this.connection.onNotification(savedFormNotification, form => {
            if (this.ownForm) return;
            this.form = migrateForm(form);
            this.fill();
        });
        this.connection.onNotification(stateNotification, state => this.onHostState(state));
        this.connection.onNotification(loadFormNotification, form => {
            this.form = migrateForm(form);
            this.fill();
            this.save();
        });
        this.connection.onNotification(chunkNotification, ({ runId, text }) => {
            if (this.host === undefined || this.host.run.id !== runId) return;
            this.host.run.output += text;
            this.output.textContent = this.host.run.output;
        });
        this.root.replaceChildren(this.build());
        this.fill();
        this.connection.ready();
        void this.loadHistory();
    }

    private build(): HTMLElement {
        const loadButton = button('Browse / Load Model…', { secondary: true, title: 'promptscope.loadModel: recent models, a GGUF file, an hf: URI' });
        onPress(loadButton, () => this.connection.send(loadModelCommand, undefined));
        this.modelLine.addEventListener('mouseenter', () => this.showModelDetails(true));
        this.modelLine.addEventListener('mouseleave', () => this.showModelDetails(this.modelLine === document.activeElement));
        this.modelLine.addEventListener('focus', () => this.showModelDetails(true));
        this.modelLine.addEventListener('blur', () => this.showModelDetails(false));
        this.modelLine.addEventListener('keydown', event => {
            if (event.key === 'Escape') this.showModelDetails(false);
        });
        this.recentSelect.addEventListener('change', () => {
            const ref = this.recentSelect.value;
            if (ref !== '') void this.switchModel(ref);
        });
        const get = button('Get', { secondary: true, ariaLabel: 'Get the Hugging Face model' });
        onPress(get, () => void this.switchModel(this.hfInput.value));
        onEnter(this.hfInput, () => void this.switchModel(this.hfInput.value));
        const hfForm = el('div', { className: 'row' }, this.hfInput, get);
        const modelSection = el('fieldset', {}, el('legend', { text: 'Model' }),
            el('div', { className: 'row model' }, this.modelLine, loadButton, this.modelDetails),
            el('div', { className: 'row' }, this.recentSelect), hfForm, this.modelStatus);

        const raw = this.checkbox('raw', 'Raw completion (no chat template; the user text is completed as-is)');
        const prompt = el('fieldset', {},
            el('legend', { text: 'Prompt' }),
            this.labelled('system', 'System message', this.textarea('system', 'System message', 3)),
            this.labelled('user', 'User message', this.textarea('user', 'User message', 5)),
            raw,
        );
        raw.addEventListener('change', () => {
            this.form = { ...this.form, raw: raw.checked };
            this.changed(true);
        });

        this.presetSelect.addEventListener('change', () => {
            const name = this.presetSelect.value;
            if (name === 'custom') return;
            this.form = applyPreset(this.form, name as PresetName);
            this.fill();
            this.changed(true);
        });
        const seedLock = this.checkbox('seedLocked', 'Lock', 'Lock the seed');
        seedLock.addEventListener('change', () => {
            this.form = { ...this.form, sampling: { ...this.form.sampling, seedLocked: seedLock.checked } };
            this.changed(true);
        });
        const grid = el('div', { className: 'grid' });
        for (const { key, label, step, hint } of samplingInputs) {
            const input = this.textfield(key, label, step);
            input.addEventListener('input', () => {
                this.form = { ...this.form, sampling: { ...this.form.sampling, [key]: input.value } };
                this.changed(false);
            });
            input.addEventListener('change', () => this.changed(true));
            const extra = key === 'seed' ? seedLock : undefined;
            grid.append(this.labelled(key, label, input, hint, extra));
        }
        const stops = this.textarea('stopSequences', 'Stop sequences (one per line)', 2, value => ({ ...this.form, sampling: { ...this.form.sampling, stopSequences: value } }));
        const sampling = el('fieldset', {},
            el('legend', { text: 'Sampling' }),
            this.labelled('preset', 'Preset', this.presetSelect),
            grid,
            this.labelled('stopSequences', 'Stop sequences (one per line)', stops),
        );

        const tokenize = button('Tokenize');
        onPress(tokenize, () => void this.tokenize());
        onEnter(this.biasWord, () => void this.tokenize());
        const biasForm = el('div', { className: 'row' }, this.biasWord, tokenize);
        const bias = el('fieldset', {},
            el('legend', { text: 'Logit bias' }),
            el('label', { text: 'Word', attrs: { for: 'bias-word' } }),
            biasForm, this.biasStatus, this.biasRows, this.errorLine('logitBias'),
        );

        const radios = el('vscode-radio-group', { attrs: { 'aria-label': 'Constrained output' } });
        const choices: [ConstraintKind, string][] = [['none', 'None'], ['jsonSchema', 'JSON schema'], ['grammar', 'GBNF grammar']];
        for (const [value, label] of choices) {
            const radio = el('vscode-radio', { text: label, attrs: { name: 'constraint', value, id: `constraint-${value}` } });
            this.toggles.set(`constraint-${value}`, radio);
            radios.append(radio);
        }
        // A click fires `change`, but the group's arrow keys check a radio without any event: after either (the group's
        // own key handler runs first), take whichever radio is checked.
        const syncConstraint = () => {
            const checked = choices.find(([value]) => this.toggles.get(`constraint-${value}`)!.checked)?.[0];
            if (checked === undefined || checked === this.form.constraint) return;
            this.form = { ...this.form, constraint: checked };
            this.showConstraint();
            this.changed(true);
        };
        radios.addEventListener('change', syncConstraint);
        radios.addEventListener('keydown', syncConstraint);
        const constraint = el('fieldset', {}, el('legend', { text: 'Constrained output' }), radios);
        this.schemaBox.append(this.labelled('jsonSchema', 'JSON schema', this.textarea('jsonSchema', 'JSON schema', 6)));
        this.grammarBox.append(this.labelled('grammar', 'GBNF grammar (checked as you type; errors show line:column)', this.textarea('grammar', 'GBNF grammar', 6)));
        constraint.append(this.schemaBox, this.grammarBox);

        const addAdapter = button('Add adapter…', { secondary: true });
        onPress(addAdapter, () => void this.addAdapter());
        const adapters = el('fieldset', {},
            el('legend', { text: 'LoRA adapters' }),
            el('p', { className: 'hint', text: 'Per model. With a list, a run uses exactly its enabled adapters; without one, the model\'s own (promptscope.lora). Changing the set or a scale makes the runtime build another context.' }),
            this.adapterRows, el('div', { className: 'row' }, addAdapter), this.adapterStatus, this.errorLine('adapters'), this.adapterNote,
        );

        const save = button('Save as .prompt', { secondary: true });
        onPress(save, () => this.connection.send(savePromptCommand, this.form));
        const open = button('Open .prompt…', { secondary: true });
        onPress(open, () => this.connection.send(openPromptCommand, undefined));

        const compare = el('fieldset', {}, el('legend', { text: 'A/B compare' }),
            el('p', { className: 'hint', text: 'Same seed, two configurations or two prompt variants. KL compares the raw next-token distributions (adapters change them; sampling presets only change what is drawn); for prompt variants only where both token prefixes are the same, else the outputs side by side with their diff.' }),
            this.compareSideControls('a'), this.compareSideControls('b'),
            el('div', { className: 'row' }, this.compareButton), this.compareResult);
        onPress(this.compareButton, () => {
            this.attemptedRun = true;
            if (this.validate().length > 0) return;
            this.connection.send(compareCommand, { form: this.form, a: { ...this.compareSides.a }, b: { ...this.compareSides.b } });
        });

        const refresh = button('Refresh', { secondary: true, ariaLabel: 'Refresh the history' });
        onPress(refresh, () => void this.loadHistory());
        const history = el('fieldset', {}, el('legend', { text: 'History' }), el('div', { className: 'row' }, refresh), this.historyList);

        onPress(this.runButton, () => this.run());
        onPress(this.stopButton, () => this.connection.send(stopCommand, undefined));
        const page = el('div', { className: 'playground' },
            modelSection,
            prompt, sampling, bias, constraint, adapters,
            el('div', { className: 'row' }, this.runButton, this.stopButton, save, open),
            this.notice, this.status, this.output, this.stats,
            el('div', { className: 'row inspect', attrs: { role: 'group', 'aria-label': 'Inspect the last run', 'aria-describedby': 'inspect-hint' } },
                this.probabilitiesButton, this.attentionButton, this.inspectHint),
            compare, history,
        );
        onPress(this.probabilitiesButton, () => this.connection.send(showProbabilitiesCommand, undefined));
        onPress(this.attentionButton, () => this.connection.send(showAttentionCommand, undefined));
        page.addEventListener('keydown', event => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                this.run();
            }
        });
        return page;
    }

    private showModelDetails(wanted: boolean): void {
        this.detailsWanted = wanted;
        this.modelDetails.hidden = !wanted || this.modelDetails.textContent === '';
    }

    private async switchModel(ref: string): Promise<void> {
        this.modelStatus.textContent = `Loading ${ref}…`;
        const response = await this.connection.request(switchModelRequest, { ref });
        this.modelStatus.textContent = 'error' in response ? response.error : '';
        if (!('error' in response)) this.hfInput.value = '';
        this.recentSelect.value = '';
    }

    private renderRecent(): void {
        const recent = this.host?.recentModels ?? [];
        const key = JSON.stringify(recent.map(m => m.ref));
        if (key === this.renderedRecent) return;
        this.renderedRecent = key;
        setOptions(this.recentSelect, [
            ['', recent.length === 0 ? 'No recent models' : 'Switch to a recent model…'],
            ...recent.map(m => [m.ref, m.label, m.detail] as const)]);
        this.recentSelect.value = '';
        this.recentSelect.disabled = recent.length === 0;
    }

    private compareSideControls(side: 'a' | 'b'): HTMLElement {
        const current = this.compareSides[side];
        const preset = select(`compare-${side}-preset`, `Side ${side.toUpperCase()} sampling`,
            ['form', 'greedy', 'balanced', 'creative'].map(name => [name, name === 'form' ? 'Form sampling' : name] as const));
        preset.value = current.preset;
        preset.addEventListener('change', () => { current.preset = preset.value as CompareSide['preset']; });
        const adapters = select(`compare-${side}-adapters`, `Side ${side.toUpperCase()} adapters`, [['none', 'Base model'], ['form', 'Form adapters']]);
        adapters.value = current.adapters;
        const scale = textfield(`compare-${side}-scale`, `Side ${side.toUpperCase()} adapter scale`, { type: 'number', step: '0.05', placeholder: 'scale as listed' });
        scale.min = 0;
        scale.max = maxAdapterScale;
        scale.disabled = current.adapters === 'none';
        adapters.addEventListener('change', () => {
            current.adapters = adapters.value as CompareSide['adapters'];
            scale.disabled = current.adapters === 'none';
        });
        scale.addEventListener('input', () => { current.scale = scale.value; });
        const variant = textarea(`compare-${side}-user`, `Side ${side.toUpperCase()} prompt variant`, 2, `Prompt variant ${side.toUpperCase()} (empty: the form's user message)`);
        variant.value = current.user ?? '';
        variant.addEventListener('input', () => { current.user = variant.value; });
        return el('div', { className: 'compare-side-box' },
            el('div', { className: 'row compare-side' }, el('strong', { text: side.toUpperCase() }), preset, adapters, scale), variant);
    }

    private async addAdapter(): Promise<void> {
        const modelPath = this.host?.modelPath;
        this.adapterStatus.textContent = 'Choose a GGUF LoRA adapter…';
        const response = await this.connection.request(addAdapterRequest, undefined);
        if ('cancelled' in response) {
            this.adapterStatus.textContent = '';
            return;
        }
        if ('error' in response) {
            this.adapterStatus.textContent = response.error;
            return;
        }
        // The model may have been loaded by the check: its path comes with the next state.
        const path = this.host?.modelPath ?? modelPath;
        if (path === undefined) {
            this.adapterStatus.textContent = 'Load a model first.';
            return;
        }
        this.form = withAdapters(this.form, path, rows => addAdapterRow(rows, response.path));
        this.adapterStatus.textContent = `Added ${response.path}`;
        this.renderAdapters();
        this.changed(true);
    }

    private renderAdapters(): void {
        const modelPath = this.host?.modelPath;
        this.renderedAdaptersFor = modelPath;
        const rows = adaptersOf(this.form, modelPath);
        if (modelPath === undefined) {
            this.adapterRows.replaceChildren(el('li', { className: 'hint', text: 'Load a model to list its adapters.' }));
            return;
        }
        const update = (change: (rows: AdapterRow[]) => AdapterRow[], rerender = false) => {
            this.form = withAdapters(this.form, modelPath, change);
            if (rerender) this.renderAdapters();
            this.changed(true);
        };
        this.adapterRows.replaceChildren(...rows.map((row, index) => {
            const name = row.path.split(/[\\/]/).pop() ?? row.path;
            const enabled = checkbox(name, { ariaLabel: `enable ${name}` });
            enabled.checked = row.enabled;
            enabled.addEventListener('change', () => update(all => all.map((r, i) => i === index ? { ...r, enabled: enabled.checked } : r)));
            const slider = el('input', { attrs: { type: 'range', min: '0', max: String(maxAdapterScale), step: '0.05', value: String(row.scale), 'aria-label': `scale of ${name}` } });
            const value = el('output', { text: row.scale.toFixed(2) });
            slider.addEventListener('input', () => { value.textContent = Number(slider.value).toFixed(2); });
            slider.addEventListener('change', () => update(all => all.map((r, i) => i === index ? { ...r, scale: clampScale(Number(slider.value)) } : r)));
            const remove = button('Remove', { secondary: true, ariaLabel: `remove ${name}` });
            onPress(remove, () => update(all => all.filter((_, i) => i !== index), true));
            return el('li', { className: 'adapter-row', title: row.path }, enabled, slider, value, remove);
        }));
    }

    private renderCompare(state: CompareState | undefined): void {
        setDisabled(this.compareButton, state?.phase === 'running');
        // Every host state comes through here (a run's progress too): the same result is left as it is.
        const key = JSON.stringify(state ?? null);
        if (key === this.renderedCompare) return;
        this.renderedCompare = key;
        if (state === undefined) {
            this.compareResult.replaceChildren();
            return;
        }
        if (state.phase !== 'done') {
            this.compareResult.replaceChildren(el('p', { className: state.phase === 'failed' ? 'error' : 'status', text: state.phase === 'failed' ? `Compare failed: ${state.error ?? ''}` : 'Comparing…' }));
            return;
        }
        const column = (name: string, side: NonNullable<CompareState['a']>) => el('div', { className: 'compare-column' },
            el('h4', { text: `${name}: ${side.label}` }),
            el('pre', { className: 'output', text: side.output, attrs: { tabindex: '0', 'aria-label': `Output ${name}` } }),
            el('p', { className: 'hint', text: `${side.tokens} tokens, stop: ${side.stopReason}` }));
        const diff = el('p', { className: 'diff', attrs: { 'aria-label': 'Word diff A → B' } },
            ...(state.diff ?? []).map(part => el(part.kind === 'same' ? 'span' : part.kind === 'added' ? 'ins' : 'del', { text: part.text })));
        const positions = state.positions ?? [];
        const diverging = positions.filter(p => p.kl > divergentKl).length;
        // Rebuilt only for another result, and with the focus kept, so a keyboard user in the KL tokens stays there.
        keepFocus(this.compareResult, () => this.compareResult.replaceChildren(
            el('p', { className: 'hint', text: `Seed ${state.seed ?? '?'} · ${diverging} of ${positions.length} positions diverge (KL > ${divergentKl})${state.firstDivergence !== undefined ? ` · outputs part at token ${state.firstDivergence}` : ' · same tokens'}` }),
            el('div', { className: 'compare-columns' }, column('A', state.a!), column('B', state.b!)),
            el('h4', { text: 'Diff A → B' }), diff,
            el('h4', { text: 'KL per token of A' }),
            ...(state.klNote !== undefined ? [el('p', { className: 'hint kl-note', text: state.klNote })] : []), ...klTokensView(state),
        ));
    }

    private async loadHistory(): Promise<void> {
        const entries: HistoryEntry[] = await this.connection.request(historyRequest, undefined);
        if (entries.length === 0) {
            this.historyList.replaceChildren(el('li', { className: 'hint', text: 'No runs yet (the history lives in .promptscope/runs/ of the workspace).' }));
            return;
        }
        this.historyList.replaceChildren(...entries.map(entry => {
            const reopen = button('Open', { secondary: true, ariaLabel: `open the run of ${entry.time}` });
            const rerun = button('Re-run', { secondary: true, ariaLabel: `re-run the run of ${entry.time}` });
            setDisabled(reopen, !entry.openable);
            setDisabled(rerun, !entry.openable);
            onPress(reopen, () => this.connection.send(reopenCommand, { key: entry.key, run: false }));
            onPress(rerun, () => this.connection.send(reopenCommand, { key: entry.key, run: true }));
            return el('li', { className: 'history-entry' },
                el('span', { className: 'hint', text: `${entry.time.replace('T', ' ').slice(0, 19)} · ${entry.command}${entry.seed !== null ? ` · seed ${entry.seed}` : ''}` }),
                el('span', { className: 'preview', text: entry.preview }),
                el('span', { className: 'history-output', text: `→ ${entry.output}` }),
                el('span', { className: 'row' }, reopen, rerun));
        }));
    }

    private labelled(id: string, label: string, control: HTMLElement, hint = '', extra?: HTMLElement): HTMLElement {
        const error = this.errorLines.has(id as FieldName) ? undefined : this.errorLine(id as FieldName);
        return el('div', { className: 'field' },
            el('label', { text: label, attrs: { for: id } }),
            el('div', { className: 'row' }, control, extra),
            hint === '' ? undefined : el('span', { className: 'hint', text: hint }),
            error,
        );
    }

    private errorLine(field: FieldName): HTMLElement {
        const line = el('p', { className: 'error', attrs: { id: `error-${field}`, 'aria-live': 'polite' } });
        this.errorLines.set(field, line);
        return line;
    }

    /** A number field of the sampling section. */
    private textfield(id: string, label: string, step: string): TextControl {
        const field = textfield(id, label, { type: 'number', step });
        field.setAttribute('aria-describedby', `error-${id}`);
        this.fields.set(id, field);
        return field;
    }

    private checkbox(id: string, label: string, ariaLabel?: string): VscodeCheckbox {
        const box = checkbox(label, { id, ...(ariaLabel !== undefined ? { ariaLabel } : {}) });
        this.toggles.set(id, box);
        return box;
    }

    /** A textarea bound to a top-level text field of the form (or to `update` for nested ones). */
    private textarea(id: string, label: string, rows: number, update?: (value: string) => PlaygroundForm): TextControl {
        const area = textarea(id, label, rows);
        area.setAttribute('aria-describedby', `error-${id}`);
        this.fields.set(id, area);
        area.addEventListener('input', () => {
            this.form = update?.(area.value) ?? { ...this.form, [id]: area.value };
            this.changed(false);
        });
        area.addEventListener('change', () => this.changed(true));
        return area;
    }

    /** Puts the form's values into the controls (after a restore or a preset). */
    private fill(): void {
        const set = (id: string, value: string) => {
            const field = this.fields.get(id);
            if (field !== undefined && field.value !== value) field.value = value;
        };
        set('system', this.form.system);
        set('user', this.form.user);
        set('jsonSchema', this.form.jsonSchema);
        set('grammar', this.form.grammar);
        set('stopSequences', this.form.sampling.stopSequences);
        for (const { key } of samplingInputs) set(key, this.form.sampling[key]);
        this.toggles.get('raw')!.checked = this.form.raw;
        this.toggles.get('seedLocked')!.checked = this.form.sampling.seedLocked;
        this.toggles.get(`constraint-${this.form.constraint}`)!.checked = true;
        this.showConstraint();
        this.renderBiasRows();
        this.renderAdapters();
        this.validate();
        this.renderHost();
    }

    /** After every edit: validate and keep the page's state; `commit` (a finished edit) also tells the host. */
    private changed(commit: boolean): void {
        this.ownForm = true;
        this.validate();
        this.save();
        if (commit) this.connection.send(formChangedCommand, this.form);
    }

    private save(): void {
        this.api.setState({ form: this.form, ...(this.host !== undefined ? { host: this.host } : {}) });
    }

    private validate(): FieldError[] {
        const result = buildRequest(this.form, this.host?.modelPath);
        const errors = result.ok ? [] : result.errors.filter(e => this.attemptedRun || e.field !== 'user');
        this.showErrors(errors);
        this.presetSelect.value = activePreset(this.form.sampling);
        (this.fields.get('system') as { disabled: boolean }).disabled = this.form.raw;
        return result.ok ? [] : result.errors;
    }

    private showErrors(errors: readonly FieldError[]): void {
        for (const [field, line] of this.errorLines) {
            const message = errors.filter(e => e.field === field).map(e => e.message).join(' ');
            line.textContent = message;
            const control = this.fields.get(field);
            if (control === undefined) continue;
            control.setAttribute('aria-invalid', String(message !== ''));
            if ('invalid' in control) control.invalid = message !== '';
        }
    }

    private showConstraint(): void {
        this.schemaBox.hidden = this.form.constraint !== 'jsonSchema';
        this.grammarBox.hidden = this.form.constraint !== 'grammar';
    }

    private run(): void {
        this.attemptedRun = true;
        const errors = this.validate();
        if (errors.length > 0) {
            const first = errors[0]!;
            const field = this.fields.get(first.field);
            field?.focus();
            // A positioned error (a GBNF syntax error) puts the caret where the problem is.
            const native = field !== undefined ? nativeTextControl(field) : undefined;
            if (first.offset !== undefined && native !== undefined) native.setSelectionRange(first.offset, first.offset);
            return;
        }
        this.connection.send(runCommand, this.form);
    }

    private async tokenize(): Promise<void> {
        const word = this.biasWord.value;
        this.biasStatus.textContent = 'Tokenizing…';
        const response = await this.connection.request(tokenizeRequest, { word });
        if ('error' in response) {
            this.biasStatus.textContent = response.error;
            return;
        }
        this.biasStatus.textContent = `${response.tokens.length} token${response.tokens.length === 1 ? '' : 's'}`;
        this.form = { ...this.form, logitBias: addBiasRow(this.form.logitBias, word, response.tokens) };
        this.biasWord.value = '';
        this.renderBiasRows();
        this.changed(true);
    }

    private renderBiasRows(): void {
        this.biasRows.replaceChildren(...this.form.logitBias.map((row, index) => {
            const label = `bias of ${JSON.stringify(row.word)}`;
            const slider = el('input', { attrs: { type: 'range', min: String(-biasLimit), max: String(biasLimit), step: '0.5', value: String(row.bias), 'aria-label': label } });
            const value = el('output', { text: row.bias.toFixed(1) });
            slider.disabled = row.ban;
            slider.addEventListener('input', () => {
                value.textContent = Number(slider.value).toFixed(1);
                this.form = { ...this.form, logitBias: updateBiasRow(this.form.logitBias, index, { bias: Number(slider.value) }) };
                this.changed(false);
            });
            slider.addEventListener('change', () => this.changed(true));
            const ban = checkbox('Ban', { ariaLabel: `ban ${JSON.stringify(row.word)}` });
            ban.checked = row.ban;
            ban.addEventListener('change', () => {
                this.form = { ...this.form, logitBias: updateBiasRow(this.form.logitBias, index, { ban: ban.checked }) };
                slider.disabled = ban.checked;
                this.changed(true);
            });
            const remove = button('Remove', { secondary: true, ariaLabel: `remove ${JSON.stringify(row.word)}` });
            onPress(remove, () => {
                this.form = { ...this.form, logitBias: removeBiasRow(this.form.logitBias, index) };
                this.renderBiasRows();
                this.changed(true);
                this.biasWord.focus();
            });
            const pieces = el('span', { className: 'pieces' }, ...row.tokens.map(t => el('code', { text: `${t.id}:${JSON.stringify(t.piece)}` })));
            return el('li', { className: 'bias-row' },
                el('span', { className: 'word', text: JSON.stringify(row.word) }), pieces, slider, value,
                ban, remove);
        }));
    }

    private onHostState(state: HostState): void {
        const previous = this.host?.run;
        this.host = state;
        const run = state.run;
        // An unlocked seed shows the seed the run drew, so locking it reproduces the run.
        if (run.stats !== undefined && !this.form.sampling.seedLocked && (previous?.id !== run.id || previous.phase !== run.phase)) {
            this.form = { ...this.form, sampling: { ...this.form.sampling, seed: String(run.stats.seed) } };
            const seed = this.fields.get('seed');
            if (seed !== undefined) seed.value = this.form.sampling.seed;
        }
        if (run.fieldErrors !== undefined) this.showErrors(run.fieldErrors);
        if (previous?.phase === 'running' && run.phase !== 'running') void this.loadHistory();
        // Rebuilt only when the model changes, so a focused slider or checkbox keeps its focus across runs.
        if (state.modelPath !== this.renderedAdaptersFor) this.renderAdapters();
        this.renderHost();
        this.save();
    }

    private renderHost(): void {
        const state = this.host;
        this.modelLine.textContent = state?.loading !== undefined ? `Loading ${state.loading}…`
            : state?.model !== undefined ? `${state.model.name} · ${state.model.backend} · ${state.model.quantization}` : 'No model loaded';
        this.modelDetails.textContent = state?.model !== undefined && state.loading === undefined ? modelTooltip(state.model) : '';
        // A model that finishes loading under the pointer shows its details without another mouseenter.
        this.showModelDetails(this.detailsWanted);
        this.renderRecent();
        const run = state?.run;
        const running = run?.phase === 'running';
        this.adapterNote.textContent = run?.adapterNote ?? '';
        this.notice.textContent = state?.notice ?? '';
        this.renderCompare(state?.compare);
        setDisabled(this.runButton, running);
        setDisabled(this.stopButton, !running);
        // The panels inspect the last finished run; while another runs, "last" is about to change.
        const last = state?.lastRun;
        setDisabled(this.probabilitiesButton, last === undefined || running);
        setDisabled(this.attentionButton, last === undefined || running);
        this.inspectHint.textContent = last === undefined ? 'Available after a run.'
            : `Run ${last.id}: its prompt, sampling, seed and adapters, and its ${last.generatedTokens} generated token${last.generatedTokens === 1 ? '' : 's'}.`;
        this.status.className = `status ${run?.phase ?? 'idle'}`;
        this.status.textContent = run === undefined ? '' : run.phase === 'failed'
            ? `Failed: ${run.error ?? 'see the highlighted fields'}`
            : { idle: '', running: 'Running…', done: 'Done', stopped: 'Stopped' }[run.phase];
        this.output.textContent = run?.output ?? '';
        const s = run?.stats;
        const facts: [string, string][] = s === undefined ? [] : [
            ['time to first token', `${Math.round(s.timeToFirstTokenMs)} ms`],
            ['speed', `${s.tokensPerSecond.toFixed(1)} tokens/s`],
            ['prompt tokens', String(s.promptTokens)],
            ['generated tokens', String(s.generatedTokens)],
            ['stop', s.stopReason],
            ['seed', String(s.seed)],
        ];
        this.stats.replaceChildren(...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]));
    }
}

/** Enter in a one-line field does what its button does (the fields are not in a <form>, so nothing submits). */
function onEnter(field: HTMLElement, action: () => void): void {
    field.addEventListener('keydown', event => {
        if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey) {
            event.preventDefault();
            action();
        }
    });
}
