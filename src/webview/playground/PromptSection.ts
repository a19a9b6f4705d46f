import { el } from '../shared/dom';
import type { PlaygroundForm } from '../../shared/protocols/playground';
import type { PlaygroundPage } from './PlaygroundPage';

/** The prompt section: system and user messages, and raw completion (which leaves the system message out). */
export class PromptSection {
    readonly element: HTMLElement;

    constructor(private readonly page: PlaygroundPage) {
        const { controls } = page;
        const raw = controls.checkbox('raw', 'Raw completion (no chat template; the user text is completed as-is)');
        this.element = el('fieldset', {},
            el('legend', { text: 'Prompt' }),
            controls.labelled('system', 'System message', controls.textarea('system', 'System message', 3)),
            controls.labelled('user', 'User message', controls.textarea('user', 'User message', 5)),
            raw,
        );
        raw.addEventListener('change', () => {
            page.form = { ...page.form, raw: raw.checked };
            page.changed(true);
        });
    }

    fill(form: PlaygroundForm): void {
        this.page.controls.setValue('system', form.system);
        this.page.controls.setValue('user', form.user);
        this.page.controls.setChecked('raw', form.raw);
    }

    /** A raw completion has no system message: its field is disabled. */
    showRaw(form: PlaygroundForm): void {
        (this.page.controls.field('system') as { disabled: boolean }).disabled = form.raw;
    }
}
