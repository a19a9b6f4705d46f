import { logitBiasOf } from '../core/panels/playground/form';
import type { LogitBiasRow } from '../shared/protocols/playground';
import { UsageError } from './UsageError';

/** One entry of `--logit-bias`: a word (tokenized by the model) or a token id, and its bias. */
export interface LogitBiasEntry {
    /** The entry as written, for error messages. */
    entry: string;
    target: { word: string } | { id: number };
    /** Added to the token's logit; `ban` (written `-inf`) forbids the token. */
    bias: number | 'ban';
}

const howToWrite = 'write WORD=BIAS or id:N=BIAS, comma-separated, with BIAS a number such as +5 or -2.5, or -inf to ban '
    + "(e.g. --logit-bias 'yes=+5,id:123=-inf')";

/**
 * `--logit-bias 'word=+5,id:123=-inf'` (repeatable): the entries in order, checked for form only; the words become
 * token ids once a model is loaded ({@link resolveLogitBias}). Undefined when absent.
 */
export function logitBiasFlag(values: Record<string, unknown>): LogitBiasEntry[] | undefined {
    const raw = values['logit-bias'];
    if (raw === undefined) return undefined;
    const texts = (Array.isArray(raw) ? raw : [raw]).map(String);
    const entries = texts.flatMap(text => text.split(',')).map(entry => entry.trim()).filter(entry => entry !== '');
    if (entries.length === 0) throw new UsageError(`--logit-bias is empty: ${howToWrite}`);
    return entries.map(parseEntry);
}

function parseEntry(entry: string): LogitBiasEntry {
    const malformed = (why: string) => new UsageError(`--logit-bias entry "${entry}" ${why}: ${howToWrite}`);
    const equals = entry.lastIndexOf('=');
    if (equals === -1) throw malformed('has no =BIAS');
    const key = entry.slice(0, equals).trim();
    const value = entry.slice(equals + 1).trim();
    let bias: number | 'ban';
    if (/^-inf(inity)?$/i.test(value)) bias = 'ban';
    else if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value)) bias = Number(value);
    else throw malformed(`has a bias "${value}" that is not a number or -inf`);
    if (key === '') throw malformed('names no word or token id');
    const id = /^id:(.*)$/i.exec(key);
    if (id) {
        if (!/^\d+$/.test(id[1]!.trim())) throw malformed(`has a token id "${id[1]}" that is not an integer ≥ 0`);
        return { entry, target: { id: Number(id[1]) }, bias };
    }
    return { entry, target: { word: key }, bias };
}

/**
 * The runtime's `logitBias` for the entries: each word's tokens as the model tokenizes it without BOS (the
 * playground's logit bias editor does the same), merged by the playground's rule (a ban wins over a bias when
 * two entries share a token; a bias of 0 adds nothing). Undefined when nothing is biased.
 */
export async function resolveLogitBias(
    entries: readonly LogitBiasEntry[],
    tokenize: (word: string) => Promise<number[]>,
): Promise<Record<number, number | 'ban'> | undefined> {
    const rows: LogitBiasRow[] = [];
    for (const { entry, target, bias } of entries) {
        const ids = 'id' in target ? [target.id] : await tokenize(target.word);
        if (ids.length === 0) throw new UsageError(`--logit-bias entry "${entry}": the model has no tokens for that word`);
        const word = 'id' in target ? `id:${target.id}` : target.word;
        rows.push({ word, tokens: ids.map(id => ({ id, piece: '' })), bias: bias === 'ban' ? 0 : bias, ban: bias === 'ban' });
    }
    return logitBiasOf(rows);
}
