import { editDistance } from '../core/text/editDistance';
import { existsSync } from 'node:fs';
import { maxThreads } from '../shared/limits';
import type { LoraAdapterSpec } from '../shared/runtimeApi';
import { isLoraScale, loraScaleAllowed } from '../core/model/loraScale';
import { UsageError } from './UsageError';

/** A finite number as a flag value may write it: `-1`, `.5`, `-2e-3` (not `-inf`, not `-x`). */
const negativeNumber = /^-(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/**
 * `argv` with every negative number that follows a flag taking a value joined to it (`--temperature -1` becomes
 * `--temperature=-1`): `parseArgs` would otherwise refuse `-1` as "ambiguous", taking it for an option. Only after
 * an option of type string, and never after `--`, so a positional that happens to start with `-` is left alone.
 */
export function joinNegativeNumbers(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): string[] {
    const takesValue = (arg: string): boolean => {
        if (arg.startsWith('--')) return !arg.includes('=') && options[arg.slice(2)]?.type === 'string';
        return /^-[a-zA-Z]$/.test(arg) && Object.values(options).some(o => o.short === arg[1] && o.type === 'string');
    };
    const out: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === '--') {
            out.push(...argv.slice(i));
            break;
        }
        const next = argv[i + 1];
        if (next !== undefined && takesValue(arg) && negativeNumber.test(next)) {
            // `--name=-1`; a short option takes its value right after the letter (`-t-1`).
            out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
            i++;
        } else {
            out.push(arg);
        }
    }
    return out;
}

/**
 * Refuses the first `--name` that `options` does not declare, suggesting the closest declared flag when one is a
 * likely typo (`--max-tokenz`: did you mean --max-tokens?). `parseArgs` only says an option is unknown. Values of
 * flags that take one are skipped, and nothing after `--` is looked at; short options are left to `parseArgs`.
 */
export function checkKnownFlags(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): void {
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === '--') return;
        if (!arg.startsWith('--') || arg.length === 2) continue;
        const name = arg.slice(2).split('=', 1)[0]!;
        const option = options[name];
        if (option === undefined) {
            const suggestion = closestName(name, Object.keys(options));
            throw new UsageError(`Unknown option '--${name}'${suggestion === undefined ? '' : `: did you mean --${suggestion}?`}`);
        }
        if (option.type === 'string' && !arg.includes('=')) i++;
    }
}

/**
 * The known name nearest `name` by edit distance, when near enough to be a typo: at most a third of the name's
 * length in edits (and at least one), or a known name that `name` begins (`--temp` for `--temperature`).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const candidate of known) {
        const distance = editDistance(name, candidate);
        if (best === undefined || distance < best.distance) best = { name: candidate, distance };
    }
    if (best !== undefined && best.distance <= Math.max(1, Math.floor(name.length / 3))) return best.name;
    const prefixed = known.filter(candidate => name.length >= 3 && candidate.startsWith(name));
    return prefixed.length === 1 ? prefixed[0] : undefined;
}


/** A numeric flag's value (a finite number), or undefined when absent. Range checks are left to the callers, which name the allowed range. */
export function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || Number.isNaN(value)) throw new UsageError(`--${name} expects a number, got ${JSON.stringify(raw)}`);
    if (!Number.isFinite(value)) throw new UsageError(`--${name} expects a finite number, got ${raw}`);
    return value;
}

export function integerFlag(values: Record<string, unknown>, name: string): number | undefined {
    const value = numberFlag(values, name);
    if (value !== undefined && !Number.isInteger(value)) throw new UsageError(`--${name} expects an integer, got ${values[name]}`);
    return value;
}

/** `--threads N`: 1 to `maxThreads`, the runtime's own bound, checked before a model loads. */
export function threadsFlag(values: Record<string, unknown>): number | undefined {
    const threads = integerFlag(values, 'threads');
    if (threads !== undefined && (threads < 1 || threads > maxThreads)) {
        throw new UsageError(`--threads expects an integer from 1 to ${maxThreads} (the runtime's limit), got ${threads}`);
    }
    return threads;
}

/**
 * `--lora PATH[:SCALE]`, repeatable. A value naming an existing file is a path, colons and all; otherwise what follows
 * the last colon is the scale, unless it holds a path separator (`C:\adapters\a.gguf`, `./v1:2/a.gguf`). A scale that
 * is not a number, or out of bounds (`maxLoraScale`), is a usage error naming the flag, not a missing file.
 */
export function loraFlags(values: Record<string, unknown>): LoraAdapterSpec[] {
    const raw = values.lora;
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    return list.map(item => {
        const text = String(item);
        const colon = text.lastIndexOf(':');
        const tail = text.slice(colon + 1);
        if (colon <= 0 || /[\\/]/.test(tail) || existsSync(text)) return { path: text };
        const path = text.slice(0, colon);
        const scale = tail.trim() === '' ? NaN : Number(tail);
        if (!isLoraScale(scale)) {
            throw new UsageError(`--lora ${text}: the scale after the last colon, "${tail}", must be ${loraScaleAllowed}; write --lora ${path}:0.5, or --lora ${path} for scale 1`);
        }
        return { path, scale };
    });
}

/** `--input JSON`: an object of input variables. */
export function jsonObjectFlag(values: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
    const raw = values[name];
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(String(raw));
    } catch (error) {
        throw new UsageError(`--${name} is not valid JSON (${(error as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object, e.g. '{"topic": "cats"}'`);
    return parsed as Record<string, unknown>;
}
