import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import { addBiasRow, biasLimit, removeBiasRow, updateBiasRow } from '../../core/panels/playground/form';
import { tokenizeRequest } from '../../shared/protocols/playground';
import { button, checkbox, onEnter, onPress, textfield } from './elements';
import type { PlaygroundPage } from './PlaygroundPage';

/** The logit bias editor: a word is tokenized by the model, then biased (a slider) or banned as a row of tokens. */
export class LogitBiasSection {
    readonly element: HTMLElement;
    private readonly biasRows = el('ul', { className: 'bias-rows', attrs: { 'aria-label': 'Biased words' } });
    private readonly biasWord = textfield('bias-word', 'Word', { placeholder: 'e.g. " yes" (leading space matters)' });
    private readonly biasStatus = el('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });

    constructor(private readonly page: PlaygroundPage) {
        const tokenize = button('Tokenize');
        onPress(tokenize, () => void this.tokenize());
        onEnter(this.biasWord, () => void this.tokenize());
        const biasForm = el('div', { className: 'row' }, this.biasWord, tokenize);
        this.element = el('fieldset', {},
            el('legend', { text: 'Logit bias' }),
            el('label', { text: 'Word', attrs: { for: 'bias-word' } }),
            biasForm, this.biasStatus, this.biasRows, page.controls.errorLine('logitBias'),
        );
    }

    fill(): void {
        this.renderRows();
    }

    private async tokenize(): Promise<void> {
        const word = this.biasWord.value;
        this.biasStatus.textContent = 'Tokenizing…';
        const response = await this.page.connection.request(tokenizeRequest, { word }).catch((error: unknown) => ({ error: failureMessage(error) }));
        if ('error' in response) {
            this.biasStatus.textContent = response.error;
            return;
        }
        this.biasStatus.textContent = `${response.tokens.length} token${response.tokens.length === 1 ? '' : 's'}`;
        this.page.form = { ...this.page.form, logitBias: addBiasRow(this.page.form.logitBias, word, response.tokens) };
        this.biasWord.value = '';
        this.renderRows();
        this.page.changed(true);
    }

    private renderRows(): void {
        const { page } = this;
        this.biasRows.replaceChildren(...page.form.logitBias.map((row, index) => {
            const label = `bias of ${JSON.stringify(row.word)}`;
            const slider = el('input', { attrs: { type: 'range', min: String(-biasLimit), max: String(biasLimit), step: '0.5', value: String(row.bias), 'aria-label': label } });
            const value = el('output', { text: row.bias.toFixed(1) });
            slider.disabled = row.ban;
            slider.addEventListener('input', () => {
                value.textContent = Number(slider.value).toFixed(1);
                page.form = { ...page.form, logitBias: updateBiasRow(page.form.logitBias, index, { bias: Number(slider.value) }) };
                page.changed(false);
            });
            slider.addEventListener('change', () => page.changed(true));
            const ban = checkbox('Ban', { ariaLabel: `ban ${JSON.stringify(row.word)}` });
            ban.checked = row.ban;
            ban.addEventListener('change', () => {
                page.form = { ...page.form, logitBias: updateBiasRow(page.form.logitBias, index, { ban: ban.checked }) };
                slider.disabled = ban.checked;
                page.changed(true);
            });
            const remove = button('Remove', { secondary: true, ariaLabel: `remove ${JSON.stringify(row.word)}` });
            onPress(remove, () => {
                page.form = { ...page.form, logitBias: removeBiasRow(page.form.logitBias, index) };
                this.renderRows();
                page.changed(true);
                this.biasWord.focus();
            });
            // A piece of a split character shows '' within the word; its vocabulary piece says what it is (`<0xE6>`).
            const pieces = el('span', { className: 'pieces' }, ...row.tokens.map(t => el('code', {
                text: `${t.id}:${JSON.stringify(t.piece === '' && t.raw !== undefined ? t.raw : t.piece)}`,
                ...(t.raw !== undefined ? { title: `token ${JSON.stringify(t.raw)}` } : {}),
            })));
            return el('li', { className: 'bias-row' },
                el('span', { className: 'word', text: JSON.stringify(row.word) }), pieces, slider, value,
                ban, remove);
        }));
    }
}
