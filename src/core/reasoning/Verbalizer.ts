import { AnswerSettingsError } from './errors/AnswerSettingsError';
import { foldAnswer } from './foldAnswer';

/**
 * How an answer is matched to surface forms. `exact`: the folded answer equals a folded form. `word`: exact first,
 * else the forms found as whole words in the answer (`"The review is positive."`), used only when they all belong
 * to one label; answers naming two labels stay unmapped rather than guessed. Forms in scripts written without
 * spaces (Han, kana, Hangul, Thai) are found as plain substrings.
 */
export type VerbalizerMatch = 'exact' | 'word';

export interface VerbalizerOptions {
    /** Defaults to `"word"`. */
    match?: VerbalizerMatch;
}

const unspacedScript = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/**
 * Maps free-text answers to labels through each label's surface forms (`positive: [positive, good, great, 正面]`),
 * comparing folded text ({@link foldAnswer}). A label's own name always counts as one of its forms. `map` returns
 * undefined for an answer no label claims: callers count it as unmapped and never drop it.
 */
export class Verbalizer {
    /** Labels in the order given. */
    readonly labels: readonly string[];
    private readonly byForm = new Map<string, string>();
    private readonly match: VerbalizerMatch;

    constructor(labels: Record<string, readonly string[]>, options: VerbalizerOptions = {}) {
        this.labels = Object.keys(labels);
        if (this.labels.length === 0) throw new AnswerSettingsError('labels', 'give at least one label with its surface forms.');
        this.match = options.match ?? 'word';
        for (const label of this.labels) {
            for (const form of [label, ...labels[label]!]) {
                const folded = foldAnswer(form);
                if (folded === '') throw new AnswerSettingsError(`labels.${label}`, `the surface form ${JSON.stringify(form)} is only punctuation or space.`);
                const owner = this.byForm.get(folded);
                if (owner !== undefined && owner !== label) {
                    throw new AnswerSettingsError(`labels.${label}`, `${JSON.stringify(form)} also belongs to label ${JSON.stringify(owner)}; a form may name one label only.`);
                }
                this.byForm.set(folded, label);
            }
        }
    }

    /** The label of an answer, or undefined when it is unmapped (also for no answer at all). */
    map(answer: string | undefined): string | undefined {
        if (answer === undefined) return undefined;
        const folded = foldAnswer(answer);
        if (folded === '') return undefined;
        const exact = this.byForm.get(folded);
        if (exact !== undefined || this.match === 'exact') return exact;
        const found = new Set<string>();
        const padded = ` ${folded} `;
        for (const [form, label] of this.byForm) {
            if (unspacedScript.test(form) ? folded.includes(form) : padded.includes(` ${form} `)) found.add(label);
        }
        return found.size === 1 ? [...found][0] : undefined;
    }
}
