import { el } from '../shared/dom';
import type { FieldError, FieldName, PlaygroundForm } from '../../shared/protocols/playground';
import { checkbox, textarea, textfield, type TextControl, type TextfieldOptions, type VscodeCheckbox } from './elements';
import type { PlaygroundPage } from './PlaygroundPage';

/**
 * The form's controls by id, with their labels and error lines: the sections create their fields here, so that a
 * validation shows each error beside its field and a refused Run can focus the first one.
 */
export class FormControls {
    private readonly fields = new Map<string, TextControl>();
    /** The form's checkboxes, by id. */
    private readonly toggles = new Map<string, { checked: boolean }>();
    private readonly errorLines = new Map<FieldName, HTMLElement>();

    constructor(private readonly page: Pick<PlaygroundPage, 'form' | 'changed'>) {}

    /** The text control `id`, if there is one. */
    field(id: string): TextControl | undefined {
        return this.fields.get(id);
    }

    /** Sets text control `id` to `value` (left alone when it already holds it, so its caret stays). */
    setValue(id: string, value: string): void {
        const field = this.fields.get(id);
        if (field !== undefined && field.value !== value) field.value = value;
    }

    setChecked(id: string, checked: boolean): void {
        this.toggles.get(id)!.checked = checked;
    }

    /** `control` under its visible label, with its hint and (unless it has one elsewhere) its error line. */
    labelled(id: string, label: string, control: HTMLElement, hint = '', extra?: HTMLElement): HTMLElement {
        const error = this.errorLines.has(id as FieldName) ? undefined : this.errorLine(id as FieldName);
        return el('div', { className: 'field' },
            el('label', { text: label, attrs: { for: id } }),
            el('div', { className: 'row' }, control, extra),
            hint === '' ? undefined : el('span', { className: 'hint', text: hint }),
            error,
        );
    }

    errorLine(field: FieldName): HTMLElement {
        const line = el('p', { className: 'error', attrs: { id: `error-${field}`, 'aria-live': 'polite' } });
        this.errorLines.set(field, line);
        return line;
    }

    /** A number field of the sampling section. */
    numberField(id: string, label: string, step: string): TextControl {
        const field = textfield(id, label, { type: 'number', step });
        field.setAttribute('aria-describedby', `error-${id}`);
        this.fields.set(id, field);
        return field;
    }

    /** A one-line text field (a path, a key) whose errors show on its error line. */
    textField(id: string, label: string, options: TextfieldOptions = {}): TextControl {
        const field = textfield(id, label, options);
        field.setAttribute('aria-describedby', `error-${id}`);
        this.fields.set(id, field);
        return field;
    }

    checkbox(id: string, label: string, ariaLabel?: string): VscodeCheckbox {
        const box = checkbox(label, { id, ...(ariaLabel !== undefined ? { ariaLabel } : {}) });
        this.toggles.set(id, box);
        return box;
    }

    /** A textarea bound to a top-level text field of the form (or to `update` for nested ones). */
    textarea(id: string, label: string, rows: number, update?: (value: string) => PlaygroundForm): TextControl {
        const area = textarea(id, label, rows);
        area.setAttribute('aria-describedby', `error-${id}`);
        this.fields.set(id, area);
        area.addEventListener('input', () => {
            this.page.form = update?.(area.value) ?? { ...this.page.form, [id]: area.value };
            this.page.changed(false);
        });
        area.addEventListener('change', () => this.page.changed(true));
        return area;
    }

    /** Shows `errors` on their fields' error lines (and marks those fields invalid); clears the others. */
    showErrors(errors: readonly FieldError[]): void {
        for (const [field, line] of this.errorLines) {
            const message = errors.filter(e => e.field === field).map(e => e.message).join(' ');
            line.textContent = message;
            const control = this.fields.get(field);
            if (control === undefined) continue;
            control.setAttribute('aria-invalid', String(message !== ''));
            if ('invalid' in control) control.invalid = message !== '';
        }
    }
}
