import { el } from '../shared/dom';
import type { HostConnection } from '../shared/HostConnection';
import type { VsCodeApi } from '../shared/vscodeApi';
import { buildRequest } from '../../core/panels/playground/buildRequest';
import { migrateForm } from '../../core/panels/playground/form';
import {
    chunkNotification, formChangedCommand, loadFormNotification, runCommand, savedFormNotification, stateNotification,
    type FieldError, type HostState, type PlaygroundForm,
} from '../../shared/protocols/playground';
import { AdaptersSection } from './AdaptersSection';
import { CompareSection } from './CompareSection';
import { ConstraintSection } from './ConstraintSection';
import { nativeTextControl } from './elements';
import { FormControls } from './FormControls';
import { HistorySection } from './HistorySection';
import { InspectSection } from './InspectSection';
import { LogitBiasSection } from './LogitBiasSection';
import { ModelSection } from './ModelSection';
import type { PlaygroundPage } from './PlaygroundPage';
import { PromptSection } from './PromptSection';
import { RunSection } from './RunSection';
import { SamplingSection } from './SamplingSection';
import { SpeculationSection } from './SpeculationSection';
import { WatermarkSection } from './WatermarkSection';

/** What the page keeps with setState: the form as typed, and the host's last state so a reload shows the output at once. */
export interface PlaygroundViewState {
    form: PlaygroundForm;
    host?: HostState;
}

/**
 * The playground page, composed of its sections (model, prompt, sampling, logit bias, constrained output, adapters,
 * run and output, inspection, compare, history). The form is built once from @vscode-elements components (labelled,
 * keyboard-operable; the sliders stay native range inputs, which the library does not have); the sections' edits
 * update {@link form}, which is validated with the runtime's rules on every input. Model text (output, token pieces)
 * is only ever set through textContent.
 */
export class PlaygroundApp implements PlaygroundPage {
    form: PlaygroundForm;
    host: HostState | undefined;
    readonly controls: FormControls;
    /**
     * The page's form wins over the one the extension saved: restored from the page's own state, or edited here before
     * the extension's arrived (its notification comes after the ready handshake, and must not wipe what was typed).
     */
    private ownForm: boolean;
    /** Errors of a refused Run are shown for every field; before that, an empty prompt is not flagged. */
    private attemptedRun = false;
    private readonly model: ModelSection;
    private readonly prompt: PromptSection;
    private readonly sampling: SamplingSection;
    private readonly bias: LogitBiasSection;
    private readonly constraint: ConstraintSection;
    private readonly adapters: AdaptersSection;
    private readonly speculation: SpeculationSection;
    private readonly watermark: WatermarkSection;
    private readonly result: RunSection;
    private readonly inspect: InspectSection;
    private readonly compare: CompareSection;
    private readonly history: HistorySection;

    constructor(private readonly root: HTMLElement, readonly connection: HostConnection, private readonly api: VsCodeApi<PlaygroundViewState>) {
        const saved = api.getState();
        this.ownForm = saved?.form !== undefined;
        this.form = migrateForm(saved?.form);
        this.host = saved?.host;
        this.controls = new FormControls(this);
        this.model = new ModelSection(connection);
        this.prompt = new PromptSection(this);
        this.sampling = new SamplingSection(this, () => this.fill());
        this.bias = new LogitBiasSection(this);
        this.constraint = new ConstraintSection(this);
        this.adapters = new AdaptersSection(this);
        this.speculation = new SpeculationSection(this);
        this.watermark = new WatermarkSection(this);
        this.result = new RunSection(connection, () => this.run(), () => this.form);
        this.inspect = new InspectSection(connection);
        this.compare = new CompareSection(this);
        this.history = new HistorySection(connection);
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
            this.result.showOutput(this.host.run.output);
        });
        this.root.replaceChildren(this.build());
        this.fill();
        this.connection.ready();
        void this.history.load();
    }

    changed(commit: boolean): void {
        this.ownForm = true;
        this.validate();
        this.save();
        if (commit) this.connection.send(formChangedCommand, this.form);
    }

    validateForRun(): FieldError[] {
        this.attemptedRun = true;
        return this.validate();
    }

    private build(): HTMLElement {
        const page = el('div', { className: 'playground' },
            this.model.element,
            this.prompt.element, this.sampling.element, this.bias.element, this.constraint.element, this.adapters.element,
            this.speculation.element, this.watermark.element,
            ...this.result.elements,
            this.inspect.element,
            this.compare.element, this.history.element,
        );
        page.addEventListener('keydown', event => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                this.run();
            }
        });
        return page;
    }

    /** Puts the form's values into the controls (after a restore or a preset). */
    private fill(): void {
        this.prompt.fill(this.form);
        this.constraint.fill(this.form);
        this.sampling.fill(this.form);
        this.bias.fill();
        this.adapters.fill();
        this.speculation.fill(this.form);
        this.watermark.fill(this.form);
        this.validate();
        this.renderHost();
    }

    private save(): void {
        this.api.setState({ form: this.form, ...(this.host !== undefined ? { host: this.host } : {}) });
    }

    private validate(): FieldError[] {
        const result = buildRequest(this.form, this.host?.modelPath);
        const errors = result.ok ? [] : result.errors.filter(e => this.attemptedRun || e.field !== 'user');
        this.controls.showErrors(errors);
        this.sampling.showPreset(this.form);
        this.prompt.showRaw(this.form);
        return result.ok ? [] : result.errors;
    }

    private run(): void {
        const errors = this.validateForRun();
        if (errors.length > 0) {
            const first = errors[0]!;
            const field = this.controls.field(first.field);
            field?.focus();
            // A positioned error (a GBNF syntax error) puts the caret where the problem is.
            const native = field !== undefined ? nativeTextControl(field) : undefined;
            if (first.offset !== undefined && native !== undefined) native.setSelectionRange(first.offset, first.offset);
            return;
        }
        this.connection.send(runCommand, this.form);
    }

    private onHostState(state: HostState): void {
        const previous = this.host?.run;
        this.host = state;
        const run = state.run;
        // An unlocked seed shows the seed the run drew, so locking it reproduces the run.
        if (run.stats !== undefined && !this.form.sampling.seedLocked && (previous?.id !== run.id || previous.phase !== run.phase)) {
            this.sampling.showDrawnSeed(run.stats.seed);
        }
        if (run.fieldErrors !== undefined) this.controls.showErrors(run.fieldErrors);
        if (previous?.phase === 'running' && run.phase !== 'running') void this.history.load();
        this.adapters.onHostState(state);
        this.renderHost();
        this.save();
    }

    private renderHost(): void {
        const state = this.host;
        this.model.render(state);
        this.adapters.render(state);
        this.result.render(state);
        this.compare.render(state?.compare);
        this.inspect.render(state);
    }
}
