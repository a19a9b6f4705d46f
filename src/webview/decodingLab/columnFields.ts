import type { DecodingMethod, DecodingSettings } from '../../shared/decoding';

/** A setting's input in a column's form: the key in the settings, its label and the allowed range in words. */
export interface SettingField {
    key: string;
    label: string;
    help: string;
    step: string;
    /** The field's text for settings saved before the setting existed (an optional setting's default). */
    fallback?: string;
}

const fields: Record<DecodingMethod, SettingField[]> = {
    greedy: [],
    beam: [
        { key: 'beams', label: 'Beams (k)', help: 'beams kept per step, 1–32', step: '1' },
        { key: 'lengthPenalty', label: 'Length penalty (α)', help: 'score = log P / length^α; 0 ranks by log P alone', step: '0.1' },
        { key: 'nBest', label: 'N best', help: 'hypotheses shown, 1–k', step: '1' },
        { key: 'groups', label: 'Groups (G)', help: 'diverse beam search: G groups of k/G beams; 1 is plain beam search', step: '1', fallback: '1' },
        { key: 'diversityPenalty', label: 'Diversity (λ)', help: 'penalty per earlier group that chose a token this step, ≥ 0', step: '0.1', fallback: '0' },
    ],
    sample: [
        { key: 'temperature', label: 'Temperature', help: '≥ 0; 0 is greedy', step: '0.05' },
        { key: 'topK', label: 'Top-k', help: 'whole number ≥ 0; 0 is off', step: '1' },
        { key: 'topP', label: 'Top-p', help: '(0, 1]', step: '0.01' },
        { key: 'minP', label: 'Min-p', help: '[0, 1)', step: '0.01' },
        { key: 'repeatPenalty', label: 'Repeat penalty', help: '> 0; 1 is none', step: '0.05' },
        { key: 'seed', label: 'Seed', help: 'whole number ≥ 0', step: '1' },
    ],
};

export function settingFields(method: DecodingMethod): SettingField[] {
    return fields[method];
}

/**
 * Settings from a column form's text values (what the user typed, kept as drafts): numbers as typed, an empty or
 * unreadable field as NaN, which the host refuses naming the field. Pure.
 */
export function settingsFromDraft(method: DecodingMethod, draft: Readonly<Record<string, string>>): DecodingSettings {
    const values: Record<string, unknown> = { method };
    for (const field of fields[method]) {
        const text = draft[field.key]?.trim() ?? '';
        values[field.key] = text === '' ? Number.NaN : Number(text);
    }
    return values as unknown as DecodingSettings;
}

/** A column's settings as the text of its form fields. */
export function draftFromSettings(settings: DecodingSettings): Record<string, string> {
    const values = settings as unknown as Record<string, unknown>;
    return Object.fromEntries(fields[settings.method].map(f => [f.key, values[f.key] === undefined && f.fallback !== undefined ? f.fallback : String(values[f.key])]));
}
