import { el } from '../shared/dom';
import { keepFocus } from '../shared/keepFocus';
import { maxAdapterScale } from '../../core/panels/playground/form';
import { compareCommand, type CompareSide, type CompareState } from '../../shared/protocols/playground';
import { button, onPress, select, setDisabled, textarea, textfield } from './elements';
import { divergentKl, klTokensView } from './klTokens';
import type { PlaygroundPage } from './PlaygroundPage';

/** A/B compare: two configurations (or prompt variants) of the form with one seed; both outputs, their diff, KL per token. */
export class CompareSection {
    readonly element: HTMLElement;
    private readonly compareSides: Record<'a' | 'b', CompareSide> = {
        a: { preset: 'form', adapters: 'none', scale: '' },
        b: { preset: 'form', adapters: 'form', scale: '' },
    };
    private readonly compareButton = button('Compare');
    private readonly compareResult = el('div', { className: 'compare-result', attrs: { 'aria-live': 'polite' } });
    /** The compare state on screen (JSON), so that a host state with the same result does not rebuild it. */
    private renderedCompare: string | undefined;

    constructor(page: PlaygroundPage) {
        this.element = el('fieldset', {}, el('legend', { text: 'A/B compare' }),
            el('p', { className: 'hint', text: 'Same seed, two configurations or two prompt variants. KL compares the raw next-token distributions (adapters change them; sampling presets only change what is drawn); for prompt variants only where both token prefixes are the same, else the outputs side by side with their diff.' }),
            this.sideControls('a'), this.sideControls('b'),
            el('div', { className: 'row' }, this.compareButton), this.compareResult);
        onPress(this.compareButton, () => {
            if (page.validateForRun().length > 0) return;
            page.connection.send(compareCommand, { form: page.form, a: { ...this.compareSides.a }, b: { ...this.compareSides.b } });
        });
    }

    render(state: CompareState | undefined): void {
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

    private sideControls(side: 'a' | 'b'): HTMLElement {
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
        const backend = select(`compare-${side}-backend`, `Side ${side.toUpperCase()} runs on`, [['embedded', 'Embedded runtime'], ['server', 'Server (settings)']]);
        backend.value = current.backend ?? 'embedded';
        backend.addEventListener('change', () => { current.backend = backend.value as NonNullable<CompareSide['backend']>; });
        const variant = textarea(`compare-${side}-user`, `Side ${side.toUpperCase()} prompt variant`, 2, `Prompt variant ${side.toUpperCase()} (empty: the form's user message)`);
        variant.value = current.user ?? '';
        variant.addEventListener('input', () => { current.user = variant.value; });
        return el('div', { className: 'compare-side-box' },
            el('div', { className: 'row compare-side' }, el('strong', { text: side.toUpperCase() }), preset, adapters, scale, backend), variant);
    }
}
