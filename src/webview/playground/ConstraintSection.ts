import { el } from '../shared/dom';
import type { ConstraintKind, PlaygroundForm } from '../../shared/protocols/playground';
import type { PlaygroundPage } from './PlaygroundPage';

const choices: [ConstraintKind, string][] = [['none', 'None'], ['jsonSchema', 'JSON schema'], ['grammar', 'GBNF grammar']];

/** Constrained output: none, a JSON schema or a GBNF grammar, with the chosen one's text. */
export class ConstraintSection {
    readonly element: HTMLElement;
    private readonly radios = new Map<ConstraintKind, { checked: boolean }>();
    private readonly schemaBox = el('div', { className: 'constraint-box' });
    private readonly grammarBox = el('div', { className: 'constraint-box' });

    constructor(private readonly page: PlaygroundPage) {
        const { controls } = page;
        const group = el('vscode-radio-group', { attrs: { 'aria-label': 'Constrained output' } });
        for (const [value, label] of choices) {
            const radio = el('vscode-radio', { text: label, attrs: { name: 'constraint', value, id: `constraint-${value}` } });
            this.radios.set(value, radio);
            group.append(radio);
        }
        // A click fires `change`, but the group's arrow keys check a radio without any event: after either (the group's
        // own key handler runs first), take whichever radio is checked.
        const syncConstraint = () => {
            const checked = choices.find(([value]) => this.radios.get(value)!.checked)?.[0];
            if (checked === undefined || checked === page.form.constraint) return;
            page.form = { ...page.form, constraint: checked };
            this.showConstraint(page.form);
            page.changed(true);
        };
        group.addEventListener('change', syncConstraint);
        group.addEventListener('keydown', syncConstraint);
        this.element = el('fieldset', {}, el('legend', { text: 'Constrained output' }), group);
        this.schemaBox.append(controls.labelled('jsonSchema', 'JSON schema', controls.textarea('jsonSchema', 'JSON schema', 6)));
        this.grammarBox.append(controls.labelled('grammar', 'GBNF grammar (checked as you type; errors show line:column)', controls.textarea('grammar', 'GBNF grammar', 6)));
        this.element.append(this.schemaBox, this.grammarBox);
    }

    fill(form: PlaygroundForm): void {
        this.page.controls.setValue('jsonSchema', form.jsonSchema);
        this.page.controls.setValue('grammar', form.grammar);
        this.radios.get(form.constraint)!.checked = true;
        this.showConstraint(form);
    }

    private showConstraint(form: PlaygroundForm): void {
        this.schemaBox.hidden = form.constraint !== 'jsonSchema';
        this.grammarBox.hidden = form.constraint !== 'grammar';
    }
}
