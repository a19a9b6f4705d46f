import { el } from '../shared/dom';
import { defaultWatermarkForm } from '../../core/panels/playground/speculationWatermarkForm';
import type { PlaygroundForm, WatermarkForm } from '../../shared/protocols/playground';
import type { PlaygroundPage } from './PlaygroundPage';

/**
 * A watermark on the run's tokens (sent as sampling.watermark): the key, γ (the green share of the vocabulary), δ
 * (the green tokens' bias) or hard (red tokens forbidden). The key field hides what is typed: whoever reads the key
 * can detect, or forge, the watermark. Promptscope: Detect Watermark… checks a text with the same key.
 */
export class WatermarkSection {
    readonly element: HTMLElement;
    private readonly fields = el('div');

    constructor(private readonly page: PlaygroundPage) {
        const { controls } = page;
        const update = (change: Partial<WatermarkForm>, commit: boolean) => {
            page.form = { ...page.form, watermark: { ...(page.form.watermark ?? defaultWatermarkForm()), ...change } };
            this.show(page.form);
            page.changed(commit);
        };
        const enabled = controls.checkbox('watermarkEnabled', 'Watermark the output');
        enabled.addEventListener('change', () => update({ enabled: enabled.checked }, true));
        const key = controls.textField('watermarkKey', 'Watermark key', { type: 'password' });
        key.addEventListener('input', () => update({ key: key.value }, false));
        key.addEventListener('change', () => page.changed(true));
        const grid = el('div', { className: 'grid' });
        for (const [name, id, label, step, hint] of [
            ['gamma', 'watermarkGamma', 'γ (green share)', '0.05', '(0, 1); empty: 0.25'],
            ['delta', 'watermarkDelta', 'δ (green bias)', '0.5', '≥ 0; empty: 2'],
        ] as const) {
            const input = controls.numberField(id, label, step);
            input.addEventListener('input', () => update({ [name]: input.value }, false));
            input.addEventListener('change', () => page.changed(true));
            grid.append(controls.labelled(id, label, input, hint));
        }
        const hard = controls.checkbox('watermarkHard', 'Hard (red tokens are forbidden; δ unused)');
        hard.addEventListener('change', () => update({ hard: hard.checked }, true));
        this.fields.append(controls.labelled('watermarkKey', 'Key', key, 'detection needs the same key'), grid, hard);
        this.element = el('fieldset', {}, el('legend', { text: 'Watermark' }), enabled, this.fields);
    }

    fill(form: PlaygroundForm): void {
        const w = form.watermark ?? defaultWatermarkForm();
        const { controls } = this.page;
        controls.setChecked('watermarkEnabled', w.enabled);
        controls.setValue('watermarkKey', w.key);
        controls.setValue('watermarkGamma', w.gamma);
        controls.setValue('watermarkDelta', w.delta);
        controls.setChecked('watermarkHard', w.hard);
        this.show(form);
    }

    private show(form: PlaygroundForm): void {
        this.fields.hidden = form.watermark?.enabled !== true;
    }
}
