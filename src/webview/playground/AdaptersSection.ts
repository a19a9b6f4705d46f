import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import { adaptersOf, addAdapterRow, clampScale, maxAdapterScale, withAdapters } from '../../core/panels/playground/form';
import { addAdapterRequest, type AdapterRow, type HostState } from '../../shared/protocols/playground';
import { button, checkbox, onPress } from './elements';
import type { PlaygroundPage } from './PlaygroundPage';

/** The LoRA adapters of the loaded model: each enabled or not, with its scale; Add adapter… checks a file against the model. */
export class AdaptersSection {
    readonly element: HTMLElement;
    private readonly adapterRows = el('ul', { className: 'adapter-rows', attrs: { 'aria-label': 'LoRA adapters of this model' } });
    private readonly adapterStatus = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
    private readonly adapterNote = el('p', { className: 'hint adapter-note', attrs: { 'aria-live': 'polite' } });
    /** The model whose adapters are listed. */
    private renderedFor: string | undefined;

    constructor(private readonly page: PlaygroundPage) {
        const addAdapter = button('Add adapter…', { secondary: true });
        onPress(addAdapter, () => void this.addAdapter());
        this.element = el('fieldset', {},
            el('legend', { text: 'LoRA adapters' }),
            el('p', { className: 'hint', text: 'Per model. With a list, a run uses exactly its enabled adapters; without one, the model\'s own (promptscope.lora). Changing the set or a scale makes the runtime build another context.' }),
            this.adapterRows, el('div', { className: 'row' }, addAdapter), this.adapterStatus, page.controls.errorLine('adapters'), this.adapterNote,
        );
    }

    fill(): void {
        this.renderRows();
    }

    /** A new host state: the rows are rebuilt only when the model changes, so a focused slider or checkbox keeps its focus across runs. */
    onHostState(state: HostState): void {
        if (state.modelPath !== this.renderedFor) this.renderRows();
    }

    render(state: HostState | undefined): void {
        this.adapterNote.textContent = state?.run.adapterNote ?? '';
    }

    private async addAdapter(): Promise<void> {
        const { page } = this;
        const modelPath = page.host?.modelPath;
        this.adapterStatus.textContent = 'Choose a GGUF LoRA adapter…';
        const response = await page.connection.request(addAdapterRequest, undefined).catch((error: unknown) => ({ error: failureMessage(error) }));
        if ('cancelled' in response) {
            this.adapterStatus.textContent = '';
            return;
        }
        if ('error' in response) {
            this.adapterStatus.textContent = response.error;
            return;
        }
        // The model may have been loaded by the check: its path comes with the next state.
        const path = page.host?.modelPath ?? modelPath;
        if (path === undefined) {
            this.adapterStatus.textContent = 'Load a model first.';
            return;
        }
        page.form = withAdapters(page.form, path, rows => addAdapterRow(rows, response.path));
        this.adapterStatus.textContent = `Added ${response.path}`;
        this.renderRows();
        page.changed(true);
    }

    private renderRows(): void {
        const { page } = this;
        const modelPath = page.host?.modelPath;
        this.renderedFor = modelPath;
        const rows = adaptersOf(page.form, modelPath);
        if (modelPath === undefined) {
            this.adapterRows.replaceChildren(el('li', { className: 'hint', text: 'Load a model to list its adapters.' }));
            return;
        }
        const update = (change: (rows: AdapterRow[]) => AdapterRow[], rerender = false) => {
            page.form = withAdapters(page.form, modelPath, change);
            if (rerender) this.renderRows();
            page.changed(true);
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
}
