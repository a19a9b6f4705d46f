import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import { loadModelCommand, switchModelRequest, type HostState } from '../../shared/protocols/playground';
import { button, onEnter, onPress, select, setOptions, textfield } from './elements';
import { modelTooltip } from './modelTooltip';

/** The model section: the loaded model's line (with its GGUF details), Load Model…, recent models and an `hf:` URI. */
export class ModelSection {
    readonly element: HTMLElement;
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
    /** The recent models listed (JSON of their refs), so a host state with the same list leaves the select alone. */
    private renderedRecent = '';

    constructor(private readonly connection: HostConnection) {
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
        this.element = el('fieldset', {}, el('legend', { text: 'Model' }),
            el('div', { className: 'row model' }, this.modelLine, loadButton, this.modelDetails),
            el('div', { className: 'row' }, this.recentSelect), hfForm, this.modelStatus);
    }

    render(state: HostState | undefined): void {
        this.modelLine.textContent = state?.loading !== undefined ? `Loading ${state.loading}…`
            : state?.model !== undefined ? `${state.model.name} · ${state.model.backend} · ${state.model.quantization}` : 'No model loaded';
        this.modelDetails.textContent = state?.model !== undefined && state.loading === undefined ? modelTooltip(state.model) : '';
        // A model that finishes loading under the pointer shows its details without another mouseenter.
        this.showModelDetails(this.detailsWanted);
        this.renderRecent(state?.recentModels ?? []);
    }

    private showModelDetails(wanted: boolean): void {
        this.detailsWanted = wanted;
        this.modelDetails.hidden = !wanted || this.modelDetails.textContent === '';
    }

    private async switchModel(ref: string): Promise<void> {
        this.modelStatus.textContent = `Loading ${ref}…`;
        const response = await this.connection.request(switchModelRequest, { ref }).catch((error: unknown) => ({ error: failureMessage(error) }));
        this.modelStatus.textContent = 'error' in response ? response.error : '';
        if (!('error' in response)) this.hfInput.value = '';
        this.recentSelect.value = '';
    }

    private renderRecent(recent: NonNullable<HostState['recentModels']>): void {
        const key = JSON.stringify(recent.map(m => m.ref));
        if (key === this.renderedRecent) return;
        this.renderedRecent = key;
        setOptions(this.recentSelect, [
            ['', recent.length === 0 ? 'No recent models' : 'Switch to a recent model…'],
            ...recent.map(m => [m.ref, m.label, m.detail] as const)]);
        this.recentSelect.value = '';
        this.recentSelect.disabled = recent.length === 0;
    }
}
