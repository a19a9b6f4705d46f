/**
 * The playground form's pure logic: defaults, presets, migration of saved state, and the logit bias rows.
 * No DOM: the unit tests and the host use it too.
 */
import { samplingDefaults } from '../../../shared/sampling';
import { defaultSpeculativeForm, defaultWatermarkForm, migrateSpeculativeForm, migrateWatermarkForm } from './speculationWatermarkForm';
import type { AdapterRow, LogitBiasRow, PlaygroundForm, SamplingForm, TokenPiece } from '../../../shared/protocols/playground';

export const biasLimit = 10;

export type PresetName = 'greedy' | 'balanced' | 'creative';

type PresetFields = Pick<SamplingForm, 'temperature' | 'topK' | 'topP' | 'minP' | 'repeatPenalty'>;

/** Only the distribution-shaping fields: a preset never touches the seed, length or stop sequences the user set. */
export const presets: Readonly<Record<PresetName, PresetFields>> = {
    // temperature 0 is greedy in the runtime; the filters are opened so nothing but the argmax decides.
    greedy: { temperature: '0', topK: '0', topP: '1', minP: '0', repeatPenalty: '1' },
    balanced: { temperature: '0.7', topK: '40', topP: '0.9', minP: '0.05', repeatPenalty: '1.1' },
    creative: { temperature: '1.1', topK: '100', topP: '0.98', minP: '0.02', repeatPenalty: '1.05' },
};

export function defaultForm(): PlaygroundForm {
    return {
        version: 1,
        system: 'You are a helpful assistant.',
        user: '',
        raw: false,
        sampling: { ...presets.balanced, repeatLastTokens: String(samplingDefaults.repeatLastTokens), seed: '', seedLocked: false, maxTokens: String(samplingDefaults.maxTokens), stopSequences: '' },
        logitBias: [],
        constraint: 'none',
        jsonSchema: '{\n  "type": "object",\n  "properties": { "answer": { "type": "string" } },\n  "required": ["answer"]\n}',
        grammar: 'root ::= "yes" | "no"',
        adapters: {},
        speculative: defaultSpeculativeForm(),
        watermark: defaultWatermarkForm(),
    };
}

export function applyPreset(form: PlaygroundForm, name: PresetName): PlaygroundForm {
    return { ...form, sampling: { ...form.sampling, ...presets[name] } };
}

/** The preset the sampling fields match exactly, else `custom`. */
export function activePreset(sampling: SamplingForm): PresetName | 'custom' {
    const names = Object.keys(presets) as PresetName[];
    return names.find(name => Object.entries(presets[name]).every(([key, value]) => sampling[key as keyof PresetFields] === value)) ?? 'custom';
}

/**
 * Whatever was saved (by this version, an older one, or nothing) as a complete form: unknown or mistyped fields
 * fall back to their defaults one by one, so one bad field never costs the user their prompt.
 */
export function migrateForm(saved: unknown): PlaygroundForm {
    const defaults = defaultForm();
    if (typeof saved !== 'object' || saved === null) return defaults;
    const s = saved as Record<string, unknown>;
    const savedSampling = (typeof s.sampling === 'object' && s.sampling !== null ? s.sampling : {}) as Record<string, unknown>;
    const sampling = { ...defaults.sampling };
    for (const key of Object.keys(sampling) as (keyof SamplingForm)[]) {
        const value = savedSampling[key];
        if (key === 'seedLocked') sampling.seedLocked = typeof value === 'boolean' ? value : false;
        else if (typeof value === 'string') sampling[key] = value;
        else if (typeof value === 'number' && Number.isFinite(value)) sampling[key] = String(value);
    }
    return {
        version: 1,
        system: typeof s.system === 'string' ? s.system : defaults.system,
        user: typeof s.user === 'string' ? s.user : defaults.user,
        raw: typeof s.raw === 'boolean' ? s.raw : defaults.raw,
        sampling,
        logitBias: Array.isArray(s.logitBias) ? s.logitBias.flatMap(row => migrateRow(row)) : [],
        constraint: s.constraint === 'jsonSchema' || s.constraint === 'grammar' ? s.constraint : 'none',
        jsonSchema: typeof s.jsonSchema === 'string' ? s.jsonSchema : defaults.jsonSchema,
        grammar: typeof s.grammar === 'string' ? s.grammar : defaults.grammar,
        adapters: migrateAdapters(s.adapters),
        speculative: migrateSpeculativeForm(s.speculative),
        watermark: migrateWatermarkForm(s.watermark),
    };
}

function migrateRow(row: unknown): LogitBiasRow[] {
    if (typeof row !== 'object' || row === null) return [];
    const r = row as Record<string, unknown>;
    if (typeof r.word !== 'string' || !Array.isArray(r.tokens)) return [];
    const tokens = r.tokens.filter((t): t is TokenPiece =>
        typeof t === 'object' && t !== null && Number.isSafeInteger((t as TokenPiece).id) && (t as TokenPiece).id >= 0 && typeof (t as TokenPiece).piece === 'string');
    if (tokens.length === 0) return [];
    return [{ word: r.word, tokens, bias: clampBias(typeof r.bias === 'number' ? r.bias : 0), ban: r.ban === true }];
}

export function clampBias(bias: number): number {
    if (!Number.isFinite(bias)) return 0;
    return Math.min(biasLimit, Math.max(-biasLimit, bias));
}

/** A new row for a tokenized word; a word already listed is replaced (its bias kept), so a token is biased once. */
export function addBiasRow(rows: readonly LogitBiasRow[], word: string, tokens: TokenPiece[]): LogitBiasRow[] {
    const existing = rows.find(r => r.word === word);
    const row: LogitBiasRow = { word, tokens, bias: existing?.bias ?? 0, ban: existing?.ban ?? false };
    return existing === undefined ? [...rows, row] : rows.map(r => r === existing ? row : r);
}

export function updateBiasRow(rows: readonly LogitBiasRow[], index: number, change: Partial<Pick<LogitBiasRow, 'bias' | 'ban'>>): LogitBiasRow[] {
    return rows.map((r, i) => i !== index ? r : { ...r, ...change, bias: clampBias(change.bias ?? r.bias) });
}

export function removeBiasRow(rows: readonly LogitBiasRow[], index: number): LogitBiasRow[] {
    return rows.filter((_, i) => i !== index);
}

/**
 * The runtime's `logitBias` for the rows: a ban wins over a bias when two words share a token, and rows with
 * bias 0 (and no ban) add nothing. Undefined when nothing is biased.
 */
export function logitBiasOf(rows: readonly LogitBiasRow[]): Record<number, number | 'ban'> | undefined {
    const bias: Record<number, number | 'ban'> = {};
    for (const row of rows) {
        for (const token of row.tokens) {
            if (row.ban) bias[token.id] = 'ban';
            else if (row.bias !== 0 && bias[token.id] !== 'ban') bias[token.id] = row.bias;
        }
    }
    return Object.keys(bias).length === 0 ? undefined : bias;
}

export const maxAdapterScale = 2;

function migrateAdapters(saved: unknown): Record<string, AdapterRow[]> {
    if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return {};
    const out: Record<string, AdapterRow[]> = {};
    for (const [model, rows] of Object.entries(saved as Record<string, unknown>)) {
        if (!Array.isArray(rows)) continue;
        out[model] = rows.flatMap((row: unknown) => {
            if (typeof row !== 'object' || row === null) return [];
            const r = row as Record<string, unknown>;
            if (typeof r.path !== 'string' || r.path === '') return [];
            return [{ path: r.path, enabled: r.enabled !== false, scale: clampScale(typeof r.scale === 'number' ? r.scale : 1) }];
        });
    }
    return out;
}

export function clampScale(scale: number): number {
    if (!Number.isFinite(scale)) return 1;
    return Math.min(maxAdapterScale, Math.max(0, scale));
}

/** The adapter list of `modelPath` (empty when it has none). */
export function adaptersOf(form: PlaygroundForm, modelPath: string | undefined): AdapterRow[] {
    return modelPath === undefined ? [] : form.adapters[modelPath] ?? [];
}

/** `form` with `modelPath`'s list changed by `change`; an emptied list is removed (the model's own adapters apply again). */
export function withAdapters(form: PlaygroundForm, modelPath: string, change: (rows: AdapterRow[]) => AdapterRow[]): PlaygroundForm {
    const rows = change(adaptersOf(form, modelPath));
    const adapters = { ...form.adapters };
    if (rows.length === 0) delete adapters[modelPath];
    else adapters[modelPath] = rows;
    return { ...form, adapters };
}

/** Adds an adapter (once: adding a listed path again enables it). */
export function addAdapterRow(rows: readonly AdapterRow[], path: string): AdapterRow[] {
    return rows.some(r => r.path === path)
        ? rows.map(r => r.path === path ? { ...r, enabled: true } : r)
        : [...rows, { path, enabled: true, scale: 1 }];
}

/**
 * The runtime's `lora` for a run on `modelPath`: the enabled adapters with their scales, `[]` when the model has a
 * list with none enabled (the base model), undefined when it has no list (the model's own adapters).
 */
export function loraOf(form: PlaygroundForm, modelPath: string | undefined): { path: string; scale: number }[] | undefined {
    if (modelPath === undefined || form.adapters[modelPath] === undefined) return undefined;
    return form.adapters[modelPath]!.filter(r => r.enabled).map(r => ({ path: r.path, scale: r.scale }));
}

/** A stable description of an adapter set, to tell whether a run needs a different context than the previous one. */
export function adapterSetKey(lora: readonly { path: string; scale: number }[] | undefined): string {
    return lora === undefined ? 'model' : JSON.stringify(lora.map(a => [a.path, a.scale]));
}

/** The adapter set in words, for the view. */
export function describeAdapters(lora: readonly { path: string; scale: number }[] | undefined): string {
    if (lora === undefined) return 'the model\'s own adapters';
    if (lora.length === 0) return 'no adapters (base model)';
    return lora.map(a => `${a.path.split(/[\\/]/).pop()} ×${a.scale}`).join(', ');
}
