/**
 * A playground form from a run described elsewhere: a `.prompt` file prepared by core preparePrompt, or a record
 * of the run history. Pure; the host calls it (the webview only receives the form).
 */
import type { SamplingOptions } from '../../../shared/sampling';
import { defaultForm } from './form';
import type { LogitBiasRow, PlaygroundForm } from '../../../shared/protocols/playground';

export interface RunDescription {
    messages: readonly { role: string; text: string }[];
    sampling: SamplingOptions;
    lora?: readonly { path: string; scale?: number }[];
}

export type FormFromRun = { ok: true; form: PlaygroundForm; notes: string[] } | { ok: false; error: string };

const numberFields = ['temperature', 'topK', 'topP', 'minP', 'repeatPenalty', 'repeatLastTokens', 'maxTokens'] as const;

/**
 * `run` as a form, on top of `base` (what the playground holds now: its adapter lists of other models survive).
 * The form holds one optional system message and one user message; other shapes are an error, and sampling the
 * form cannot show is reported in `notes`.
 */
export function formFromRun(run: RunDescription, base: PlaygroundForm = defaultForm(), modelPath?: string): FormFromRun {
    const messages = run.messages.filter(m => !(m.role === 'system' && m.text === '') );
    const system = messages[0]?.role === 'system' ? messages[0] : undefined;
    const rest = system === undefined ? messages : messages.slice(1);
    if (rest.length !== 1 || rest[0]!.role !== 'user') {
        const shape = messages.map(m => m.role).join(', ') || 'no messages';
        return { ok: false, error: `The playground holds a system message and one user message; this run has ${shape}.` };
    }
    const notes: string[] = [];
    const s = run.sampling;
    const sampling = { ...base.sampling };
    for (const field of numberFields) sampling[field] = s[field] === undefined ? '' : String(s[field]);
    sampling.seedLocked = s.seed !== undefined;
    sampling.seed = s.seed === undefined ? '' : String(s.seed);
    sampling.stopSequences = (s.stopSequences ?? []).join('\n');
    if (s.stopSequences?.some(stop => stop.includes('\n'))) notes.push('A stop sequence with a line break cannot be shown one per line.');

    const logitBias: LogitBiasRow[] = Object.entries(s.logitBias ?? {}).map(([id, bias]) => {
        const token = { id: Number(id), piece: `#${id}` };
        const ban = bias === 'ban' || bias === -Infinity;
        return { word: `#${id}`, tokens: [token], bias: ban ? 0 : Math.max(-10, Math.min(10, bias as number)), ban };
    });

    const form: PlaygroundForm = {
        ...base,
        system: system?.text ?? '',
        user: rest[0]!.text,
        raw: false,
        sampling,
        logitBias,
        constraint: s.jsonSchema !== undefined ? 'jsonSchema' : s.grammar !== undefined ? 'grammar' : 'none',
        jsonSchema: s.jsonSchema !== undefined ? JSON.stringify(s.jsonSchema, null, 2) : base.jsonSchema,
        grammar: s.grammar ?? base.grammar,
    };
    if (run.lora !== undefined && modelPath !== undefined) {
        form.adapters = { ...base.adapters };
        if (run.lora.length === 0) delete form.adapters[modelPath];
        else form.adapters[modelPath] = run.lora.map(a => ({ path: a.path, enabled: true, scale: a.scale ?? 1 }));
    } else if (run.lora !== undefined && run.lora.length > 0) {
        notes.push('Load a model to attach the run\'s adapters to it.');
    }
    return { ok: true, form, notes };
}
