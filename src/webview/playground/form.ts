/**
 * The playground form's pure logic: defaults, presets, migration of saved state, and the logit bias rows.
 * No DOM: the unit tests and the host use it too.
 */
import type { LogitBiasRow, PlaygroundForm, SamplingForm, TokenPiece } from './protocol';

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
        sampling: { ...presets.balanced, seed: '', seedLocked: false, maxTokens: '256', stopSequences: '' },
        logitBias: [],
        constraint: 'none',
        jsonSchema: '{\n  "type": "object",\n  "properties": { "answer": { "type": "string" } },\n  "required": ["answer"]\n}',
        grammar: 'root ::= "yes" | "no"',
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
