/**
 * The run a form asks for, checked with the runtime's own rules (core validateSampling) so the UI and the runtime
 * never disagree about what is valid. Pure: the webview calls it on every edit to show reasons at once, the host
 * calls it again before running (the webview's word is never trusted).
 */
import { SamplingOptionsError } from '../../../shared/errors/SamplingOptionsError';
import { checkGbnf, formatGbnfProblem } from '../../grammar/checkGbnf';
import { validateSampling } from '../../sampling/validateSampling';
import type { SamplingOptions } from '../../../shared/sampling';
import { logitBiasOf, loraOf, maxAdapterScale } from './form';
import { speculativeOf, watermarkOf } from './speculationWatermarkForm';
import type { SpeculativeOptions } from '../../../shared/runtimeApi';
import type { FieldError, FieldName, PlaygroundForm, SamplingForm } from '../../../shared/protocols/playground';

export type PlaygroundRun = (
    | { mode: 'chat'; messages: { role: 'system' | 'user'; text: string }[]; sampling: SamplingOptions }
    | { mode: 'raw'; prompt: string; sampling: SamplingOptions }
) & {
    /** The runtime's per-request adapters (see loraOf); absent: the model's own. */
    lora?: { path: string; scale: number }[];
    /** Speculative decoding (the form's Speculative decoding fields); absent: none. */
    speculative?: SpeculativeOptions;
};

export type BuildResult = { ok: true; run: PlaygroundRun } | { ok: false; errors: FieldError[] };

const numericFields = ['temperature', 'topK', 'topP', 'minP', 'repeatPenalty', 'repeatLastTokens', 'maxTokens'] as const satisfies readonly (keyof SamplingForm)[];

/** Empty means "the default"; anything else must be a number (text such as `abc` becomes NaN and is rejected with the field's rule). */
function parseNumber(text: string): number | undefined {
    const trimmed = text.trim();
    return trimmed === '' ? undefined : Number(trimmed);
}

/** The message of `validateSampling(fields)`, or undefined when they pass. */
function samplingError(fields: SamplingOptions): string | undefined {
    try {
        validateSampling(fields);
        return undefined;
    } catch (error) {
        if (error instanceof SamplingOptionsError) return error.message;
        throw error;
    }
}

/** @param modelPath The loaded model's file, whose adapter list applies (none: no adapters are chosen). */
export function buildRequest(form: PlaygroundForm, modelPath?: string): BuildResult {
    const errors: FieldError[] = [];
    const sampling: SamplingOptions = {};
    // One field at a time, so every wrong field gets its own reason instead of only the first.
    const check = (field: FieldName, fields: SamplingOptions) => {
        const message = samplingError(fields);
        if (message === undefined) Object.assign(sampling, fields);
        else errors.push({ field, message });
    };

    for (const field of numericFields) {
        const value = parseNumber(form.sampling[field]);
        if (value !== undefined) check(field, { [field]: value });
    }
    if (form.sampling.seedLocked) {
        const seed = parseNumber(form.sampling.seed);
        if (seed === undefined) errors.push({ field: 'seed', message: 'A locked seed needs a value: enter one or unlock it.' });
        else check('seed', { seed });
    }
    const stops = form.sampling.stopSequences.split('\n').filter(line => line !== '');
    if (stops.length > 0) check('stopSequences', { stopSequences: stops });
    const logitBias = logitBiasOf(form.logitBias);
    if (logitBias !== undefined) check('logitBias', { logitBias });

    if (form.constraint === 'jsonSchema') {
        let schema: unknown;
        try {
            schema = JSON.parse(form.jsonSchema);
        } catch (error) {
            errors.push({ field: 'jsonSchema', message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
        }
        if (schema !== undefined) check('jsonSchema', { jsonSchema: schema });
    } else if (form.constraint === 'grammar') {
        // Syntax checked here (core checkGbnf follows llama.cpp's parser) so the error shows at its line:column before
        // any run; what it cannot know (left recursion, a <token> of the vocabulary) the runtime still reports.
        const before = errors.length;
        check('grammar', { grammar: form.grammar });
        const syntax = errors.length === before ? checkGbnf(form.grammar) : undefined;
        if (syntax !== undefined && !syntax.ok) errors.push({ field: 'grammar', message: formatGbnfProblem(syntax), offset: syntax.offset });
    }

    const lora = loraOf(form, modelPath);
    for (const adapter of lora ?? []) {
        if (!(Number.isFinite(adapter.scale) && adapter.scale >= 0 && adapter.scale <= maxAdapterScale)) {
            errors.push({ field: 'adapters', message: `The scale of ${adapter.path} is ${String(adapter.scale)}: use a number from 0 to ${maxAdapterScale}.` });
        }
    }

    const speculative = speculativeOf(form, errors);
    const watermark = watermarkOf(form, errors);
    if (watermark !== undefined) sampling.watermark = watermark;

    if (form.user.trim() === '') errors.push({ field: 'user', message: form.raw ? 'Enter the text to complete.' : 'Enter a user message.' });
    if (errors.length > 0) return { ok: false, errors };

    const adapters = { ...(lora !== undefined ? { lora } : {}), ...(speculative !== undefined ? { speculative } : {}) };
    if (form.raw) return { ok: true, run: { mode: 'raw', prompt: form.user, sampling, ...adapters } };
    const messages: { role: 'system' | 'user'; text: string }[] = [];
    if (form.system.trim() !== '') messages.push({ role: 'system', text: form.system });
    messages.push({ role: 'user', text: form.user });
    return { ok: true, run: { mode: 'chat', messages, sampling, ...adapters } };
}
