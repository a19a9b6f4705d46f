/**
 * The playground form's speculative decoding and watermark fields: defaults, migration of saved state, and their
 * requests (SpeculativeOptions, WatermarkOptions) checked with the runtime's rules, for buildRequest. Pure, like the
 * rest of the form: the webview validates with it on every edit, the host again before running.
 */
import { SamplingOptionsError } from '../../../shared/errors/SamplingOptionsError';
import { maxSpeculativeDraft, type SpeculativeOptions } from '../../../shared/runtimeApi';
import type { WatermarkOptions } from '../../../shared/watermark';
import { validateWatermark } from '../../sampling/validateSampling';
import type { FieldError, PlaygroundForm, SpeculativeForm, WatermarkForm } from '../../../shared/protocols/playground';

export function defaultSpeculativeForm(): SpeculativeForm {
    return { method: 'off', draftModel: '', maxDraft: '', minProbability: '' };
}

export function defaultWatermarkForm(): WatermarkForm {
    return { enabled: false, key: '', gamma: '', delta: '', hard: false };
}

/** A saved speculative form (any version, or nothing) as a complete one; mistyped fields fall back one by one. */
export function migrateSpeculativeForm(saved: unknown): SpeculativeForm {
    const form = defaultSpeculativeForm();
    if (typeof saved !== 'object' || saved === null) return form;
    const s = saved as Record<string, unknown>;
    if (s.method === 'draftModel' || s.method === 'lookup') form.method = s.method;
    for (const key of ['draftModel', 'maxDraft', 'minProbability'] as const) if (typeof s[key] === 'string') form[key] = s[key];
    return form;
}

export function migrateWatermarkForm(saved: unknown): WatermarkForm {
    const form = defaultWatermarkForm();
    if (typeof saved !== 'object' || saved === null) return form;
    const s = saved as Record<string, unknown>;
    for (const key of ['enabled', 'hard'] as const) if (typeof s[key] === 'boolean') form[key] = s[key];
    for (const key of ['key', 'gamma', 'delta'] as const) if (typeof s[key] === 'string') form[key] = s[key];
    return form;
}

function parseNumber(text: string): number | undefined {
    const trimmed = text.trim();
    return trimmed === '' ? undefined : Number(trimmed);
}

/** The run's speculation, or undefined when off; problems go to `errors` by field. */
export function speculativeOf(form: PlaygroundForm, errors: FieldError[]): SpeculativeOptions | undefined {
    const f = form.speculative;
    if (f === undefined || f.method === 'off') return undefined;
    const before = errors.length;
    const options: SpeculativeOptions = f.method === 'lookup' ? { lookup: {} } : { draftModel: f.draftModel.trim() };
    if (f.method === 'draftModel' && f.draftModel.trim() === '') errors.push({ field: 'draftModel', message: 'Enter the path of a GGUF draft model with the loaded model\'s vocabulary.' });
    const maxDraft = parseNumber(f.maxDraft);
    if (maxDraft !== undefined) {
        if (Number.isInteger(maxDraft) && maxDraft >= 1 && maxDraft <= maxSpeculativeDraft) options.maxDraft = maxDraft;
        else errors.push({ field: 'maxDraft', message: `Use a whole number from 1 to ${maxSpeculativeDraft} (empty: the runtime's default).` });
    }
    const minProbability = parseNumber(f.minProbability);
    if (minProbability !== undefined) {
        if (minProbability >= 0 && minProbability <= 1) {
            // Lookup drafts are copied text without probabilities: the field only applies to a draft model.
            if (f.method === 'draftModel') options.minProbability = minProbability;
        } else errors.push({ field: 'minProbability', message: 'Use a number from 0 to 1 (empty: 0.75).' });
    }
    // The runtime refuses speculation under a grammar (its drafts could not be checked against it): say so here.
    if (form.constraint !== 'none') errors.push({ field: 'speculativeMethod', message: 'Speculative decoding cannot run with constrained output: set Constrained output to None.' });
    return errors.length === before ? options : undefined;
}

/** The run's watermark, or undefined when off; problems go to `errors` by field (never echoing the key). */
export function watermarkOf(form: PlaygroundForm, errors: FieldError[]): WatermarkOptions | undefined {
    const f = form.watermark;
    if (f === undefined || !f.enabled) return undefined;
    const before = errors.length;
    const options: WatermarkOptions = { key: f.key, ...(f.hard ? { hard: true } : {}) };
    if (f.key === '') errors.push({ field: 'watermarkKey', message: 'Enter the key (detection needs the same key).' });
    const fields = [['gamma', 'watermarkGamma'], ['delta', 'watermarkDelta']] as const;
    for (const [name, field] of fields) {
        const value = parseNumber(f[name]);
        if (value === undefined) continue;
        try {
            validateWatermark({ key: 'x', [name]: value });
            options[name] = value;
        } catch (error) {
            if (!(error instanceof SamplingOptionsError)) throw error;
            errors.push({ field, message: error.message });
        }
    }
    if (form.constraint !== 'none') errors.push({ field: 'watermarkKey', message: 'A watermark cannot be combined with constrained output: set Constrained output to None.' });
    return errors.length === before ? options : undefined;
}
