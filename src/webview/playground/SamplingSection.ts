import { el } from '../shared/dom';
import { activePreset, applyPreset, presets, type PresetName } from '../../core/panels/playground/form';
import type { PlaygroundForm, SamplingForm } from '../../shared/protocols/playground';
import { select } from './elements';
import type { PlaygroundPage } from './PlaygroundPage';

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

/** The sampling section: a preset, the sampling fields (the seed with its lock) and the stop sequences. */
export class SamplingSection {
    readonly element: HTMLElement;
    private readonly presetSelect = select('preset', 'Preset', [...Object.keys(presets), 'custom']
        .map(name => [name, name === 'custom' ? 'Custom' : name[0]!.toUpperCase() + name.slice(1)] as const));

    /** `fill` puts a preset's values into the fields (the whole form's, through the page). */
    constructor(private readonly page: PlaygroundPage, fill: () => void) {
        const { controls } = page;
        this.presetSelect.addEventListener('change', () => {
            const name = this.presetSelect.value;
            if (name === 'custom') return;
            page.form = applyPreset(page.form, name as PresetName);
            fill();
            page.changed(true);
        });
        const seedLock = controls.checkbox('seedLocked', 'Lock', 'Lock the seed');
        seedLock.addEventListener('change', () => {
            page.form = { ...page.form, sampling: { ...page.form.sampling, seedLocked: seedLock.checked } };
            page.changed(true);
        });
        const grid = el('div', { className: 'grid' });
        for (const { key, label, step, hint } of samplingInputs) {
            const input = controls.numberField(key, label, step);
            input.addEventListener('input', () => {
                page.form = { ...page.form, sampling: { ...page.form.sampling, [key]: input.value } };
                page.changed(false);
            });
            input.addEventListener('change', () => page.changed(true));
            const extra = key === 'seed' ? seedLock : undefined;
            grid.append(controls.labelled(key, label, input, hint, extra));
        }
        const stops = controls.textarea('stopSequences', 'Stop sequences (one per line)', 2, value => ({ ...page.form, sampling: { ...page.form.sampling, stopSequences: value } }));
        this.element = el('fieldset', {},
            el('legend', { text: 'Sampling' }),
            controls.labelled('preset', 'Preset', this.presetSelect),
            grid,
            controls.labelled('stopSequences', 'Stop sequences (one per line)', stops),
        );
    }

    fill(form: PlaygroundForm): void {
        this.page.controls.setValue('stopSequences', form.sampling.stopSequences);
        for (const { key } of samplingInputs) this.page.controls.setValue(key, form.sampling[key]);
        this.page.controls.setChecked('seedLocked', form.sampling.seedLocked);
    }

    /** The preset the values match, or Custom. */
    showPreset(form: PlaygroundForm): void {
        this.presetSelect.value = activePreset(form.sampling);
    }

    /** An unlocked seed shows the seed the last run drew, so locking it reproduces the run. */
    showDrawnSeed(seed: number): void {
        this.page.form = { ...this.page.form, sampling: { ...this.page.form.sampling, seed: String(seed) } };
        this.page.controls.setValue('seed', this.page.form.sampling.seed);
    }
}
