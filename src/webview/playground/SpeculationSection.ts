import { el } from '../shared/dom';
import { defaultSpeculativeForm } from '../../core/panels/playground/speculationWatermarkForm';
import type { PlaygroundForm, SpeculativeForm } from '../../shared/protocols/playground';
import { select } from './elements';
import type { PlaygroundPage } from './PlaygroundPage';

const methods: readonly (readonly [SpeculativeForm['method'], string])[] = [
    ['off', 'Off'], ['draftModel', 'Draft model'], ['lookup', 'Prompt lookup'],
];

/**
 * Speculative decoding: off, a draft model (a GGUF path of the loaded model's vocabulary) or prompt lookup, with the
 * round's draft limit and the draft model's minimum probability. The output is the same tokens either way; the run's
 * result then shows which tokens came from accepted drafts.
 */
export class SpeculationSection {
    readonly element: HTMLElement;
    private readonly method = select('speculativeMethod', 'Speculative decoding', methods);
    private readonly draftBox = el('div');
    private readonly limits = el('div', { className: 'grid' });

    constructor(private readonly page: PlaygroundPage) {
        const { controls } = page;
        const update = (change: Partial<SpeculativeForm>, commit: boolean) => {
            page.form = { ...page.form, speculative: { ...(page.form.speculative ?? defaultSpeculativeForm()), ...change } };
            this.show(page.form);
            page.changed(commit);
        };
        this.method.addEventListener('change', () => update({ method: this.method.value as SpeculativeForm['method'] }, true));
        const draft = controls.textField('draftModel', 'Draft model path', { placeholder: '/models/small-same-vocabulary.gguf' });
        draft.addEventListener('input', () => update({ draftModel: draft.value }, false));
        draft.addEventListener('change', () => page.changed(true));
        this.draftBox.append(controls.labelled('draftModel', 'Draft model path', draft, 'a smaller GGUF model with the same vocabulary'));
        for (const [key, label, step, hint] of [
            ['maxDraft', 'Max draft', '1', 'tokens per round, 1–64; empty: default'],
            ['minProbability', 'Min draft probability', '0.05', '0–1 (draft model); empty: 0.75'],
        ] as const) {
            const input = controls.numberField(key, label, step);
            input.addEventListener('input', () => update({ [key]: input.value }, false));
            input.addEventListener('change', () => page.changed(true));
            this.limits.append(controls.labelled(key, label, input, hint));
        }
        this.element = el('fieldset', {},
            el('legend', { text: 'Speculative decoding' }),
            controls.labelled('speculativeMethod', 'Method', this.method, 'same output, fewer model evaluations when drafts are right'),
            this.draftBox, this.limits,
        );
    }

    fill(form: PlaygroundForm): void {
        const spec = form.speculative ?? defaultSpeculativeForm();
        this.method.value = spec.method;
        this.page.controls.setValue('draftModel', spec.draftModel);
        this.page.controls.setValue('maxDraft', spec.maxDraft);
        this.page.controls.setValue('minProbability', spec.minProbability);
        this.show(form);
    }

    private show(form: PlaygroundForm): void {
        const method = form.speculative?.method ?? 'off';
        this.draftBox.hidden = method !== 'draftModel';
        this.limits.hidden = method === 'off';
    }
}
