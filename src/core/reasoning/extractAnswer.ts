import type { AnswerExtractor, AnswerSettings } from '../prompt/settings/PromptscopeSettings';
import { AnswerSettingsError } from './errors/AnswerSettingsError';

/** Pulls the raw answer out of a generation; undefined when the text holds none. */
export type ExtractAnswer = (text: string) => string | undefined;

/**
 * A number not glued to a preceding letter or digit (so `x2` and `B12` are not numbers), with an optional minus
 * (ASCII or U+2212) and currency sign, thousands separators only in groups of three (`1,234,567`; `1,2,3` is a list),
 * and an optional decimal part. A following unit or `%` is left alone.
 */
const numberPattern = /(?<![\p{L}\p{N}_])([-\u2212])?[$€£¥]?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?!\d)/gu;

/** Canonical text of a number: `1,234.50` → `1234.5`, `-0` → `0`, `007` → `7`. */
export function canonicalNumber(sign: string | undefined, digits: string): string {
    const value = Number(digits.replaceAll(',', ''));
    const signed = sign ? -value : value;
    return String(Object.is(signed, -0) ? 0 : signed);
}

/** The last number in the text, canonical (`"$1,234.50"` → `"1234.5"`, `"−3 °C"` → `"-3"`). */
export function extractLastNumber(text: string): string | undefined {
    let last: RegExpExecArray | undefined;
    for (const match of text.normalize('NFKC').matchAll(numberPattern)) last = match;
    return last ? canonicalNumber(last[1], last[2]!) : undefined;
}

export interface ChoiceOptions {
    /** The option letters, upper case. Defaults to `"ABCDE"`. */
    letters?: string;
}

/**
 * The chosen option letter, upper case. In order of trust: the last "answer is (C)" / "Answer: c" statement;
 * else a reply that is only a letter (`B`, `(B).`); else the last parenthesised `(B)` or `B)`; else the last
 * stand-alone capital letter, skipping an `A` that reads as the article ("A cat…").
 */
export function extractChoice(text: string, options: ChoiceOptions = {}): string | undefined {
    const letters = (options.letters ?? 'ABCDE').toUpperCase();
    if (!/^[A-Z]+$/.test(letters)) throw new AnswerSettingsError('letters', `use capital letters only, e.g. "ABCD"; got ${JSON.stringify(letters)}.`);
    const set = `[${letters}${letters.toLowerCase()}]`;
    const upper = `[${letters}]`;
    const normalized = text.normalize('NFKC');
    const lastOf = (pattern: RegExp) => {
        let found: string | undefined;
        for (const match of normalized.matchAll(pattern)) found = match[1];
        return found?.toUpperCase();
    };
    return lastOf(new RegExp(`answer(?:\\s+is|\\s*[:：=])\\s*(?:option\\s+)?[(\\[]?(${set})(?![\\p{L}\\p{N}])`, 'giu'))
        ?? new RegExp(`^\\s*[(\\[]?(${set})[)\\].:]?\\s*$`, 'u').exec(normalized)?.[1]?.toUpperCase()
        ?? lastOf(new RegExp(`(?<![\\p{L}\\p{N}])[(\\[]?(${upper})[)\\]]`, 'gu'))
        ?? lastOf(new RegExp(`(?<![\\p{L}\\p{N}])(?!A\\s+\\p{Ll})(${upper})(?![\\p{L}\\p{N}])`, 'gu'));
}

/**
 * `yes` or `no`: from the last "answer is yes/no" statement; else from a reply that starts with one ("No, because…
 * yes-men…"); else the last stand-alone yes/no word.
 */
export function extractYesNo(text: string): string | undefined {
    const normalized = text.normalize('NFKC');
    let stated: string | undefined;
    for (const match of normalized.matchAll(/answer(?:\s+is|\s*[:：=])\s*["'“(]?(yes|no)(?![\p{L}\p{N}])/giu)) stated = match[1];
    if (stated) return stated.toLowerCase();
    const leading = /^[\s"'“(*]*(yes|no)(?![\p{L}\p{N}-])/iu.exec(normalized)?.[1];
    if (leading) return leading.toLowerCase();
    let last: string | undefined;
    for (const match of normalized.matchAll(/(?<![\p{L}\p{N}-])(yes|no)(?![\p{L}\p{N}-])/giu)) last = match[1];
    return last?.toLowerCase();
}

/**
 * The text after the last occurrence of `marker` (case-insensitive), up to the end of that line, without
 * leading `:`/spaces and one trailing sentence period (`"3.5."` → `"3.5"`). The last occurrence, because a
 * reasoning path may mention the marker before it has settled on an answer.
 */
export function extractAfterMarker(text: string, marker: string): string | undefined {
    if (marker.trim() === '') throw new AnswerSettingsError('marker', 'must be non-empty text, e.g. "The answer is".');
    const at = text.toLowerCase().lastIndexOf(marker.toLowerCase());
    if (at < 0) return undefined;
    const line = text.slice(at + marker.length).split(/\r?\n/, 1)[0]!;
    const answer = line.replace(/^[\s:：=\-–—]+/u, '').trim().replace(/(?<!\.)[.。](?=\s*$)/u, '').trim();
    return answer === '' ? undefined : answer;
}

/**
 * A regex extractor: the first participating capture group of the last match. The group is required, since a
 * pattern without one would silently return the whole match, usually with the words around the answer.
 */
export function regexExtractor(pattern: string | RegExp): ExtractAnswer {
    let regex: RegExp;
    try {
        regex = typeof pattern === 'string' ? new RegExp(pattern, 'g') : new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    } catch (error) {
        throw new AnswerSettingsError('pattern', `${JSON.stringify(String(pattern))} is not a regular expression (${(error as Error).message}).`);
    }
    // Matching the alternation with the empty string counts the groups even when the pattern itself cannot match ''.
    const groups = (new RegExp(`${regex.source}|`, regex.flags.replace('g', '')).exec('')?.length ?? 1) - 1;
    if (groups < 1) throw new AnswerSettingsError('pattern', `${regex} needs a capture group ( … ) around the answer.`);
    return text => {
        let last: RegExpExecArray | undefined;
        for (const match of text.matchAll(regex)) {
            if (match[0] === '' && match.slice(1).every(g => g === undefined)) continue;
            last = match;
        }
        return last?.slice(1).find(group => group !== undefined);
    };
}

/**
 * A field of JSON output (schema-constrained generation), by dotted path (`answer`, `result.label`, `items.0`).
 * Takes the outermost `{…}` / `[…]` when the JSON is wrapped in other text. Strings come back as they are,
 * numbers and booleans as their JSON text, objects and arrays as compact JSON; null or a missing field is undefined.
 */
export function extractJsonField(text: string, field: string): string | undefined {
    if (field.trim() === '') throw new AnswerSettingsError('field', 'must name a JSON field, e.g. "answer".');
    const value = parseJsonLoosely(text);
    if (value === undefined) return undefined;
    let current: unknown = value;
    for (const key of field.split('.')) {
        if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    if (current === null || current === undefined) return undefined;
    return typeof current === 'string' ? current : JSON.stringify(current);
}

function parseJsonLoosely(text: string): unknown {
    const attempts = [text];
    for (const [open, close] of [['{', '}'], ['[', ']']] as const) {
        const start = text.indexOf(open);
        const end = text.lastIndexOf(close);
        if (start >= 0 && end > start) attempts.push(text.slice(start, end + 1));
    }
    for (const attempt of attempts) {
        try {
            return JSON.parse(attempt);
        } catch {
            // try the next candidate
        }
    }
    return undefined;
}

/**
 * The extractor the answer settings describe. `extractor` defaults to `marker` when a marker is given, `regex`
 * when a pattern is, `json-field` when a field is, else `last-number`. A setting the chosen extractor needs but
 * lacks is an {@link AnswerSettingsError}.
 */
export function answerExtractorFor(settings: AnswerSettings = {}): ExtractAnswer {
    const kind: AnswerExtractor = settings.extractor
        ?? (settings.marker !== undefined ? 'marker' : settings.pattern !== undefined ? 'regex' : settings.field !== undefined ? 'json-field' : 'last-number');
    switch (kind) {
        case 'last-number': return extractLastNumber;
        case 'choice': return text => extractChoice(text);
        case 'yes-no': return extractYesNo;
        case 'marker': {
            const marker = settings.marker;
            if (marker === undefined) throw new AnswerSettingsError('marker', 'the marker extractor needs `answer.marker`, e.g. "The answer is".');
            extractAfterMarker('', marker);
            return text => extractAfterMarker(text, marker);
        }
        case 'regex': {
            if (settings.pattern === undefined) throw new AnswerSettingsError('pattern', 'the regex extractor needs `answer.pattern` with a capture group.');
            return regexExtractor(settings.pattern);
        }
        case 'json-field': {
            const field = settings.field;
            if (field === undefined) throw new AnswerSettingsError('field', 'the json-field extractor needs `answer.field`.');
            extractJsonField('{}', field);
            return text => extractJsonField(text, field);
        }
    }
}
