import { maxSpeculativeDraft, type SpeculativeOptions } from '../../shared/runtimeApi';
import { SpeculativeDecodingError } from '../../shared/errors/SpeculativeDecodingError';

/** {@link SpeculativeOptions} checked, with their defaults filled in. */
export type ResolvedSpeculative =
    | { kind: 'draft-model'; draftModel: string; maxDraft: number; minProbability: number }
    | { kind: 'lookup'; ngramMin: number; ngramMax: number; maxDraft: number };

/** The longest n-gram prompt lookup matches. */
export const maxLookupNgram = 8;

/**
 * Checks speculative options as every caller gives them (CLI flags, `.prompt` config, playground): one drafter,
 * whole numbers in range. Throws a SpeculativeDecodingError naming the option.
 */
export function validateSpeculative(options: SpeculativeOptions): ResolvedSpeculative {
    const hasDraft = options.draftModel !== undefined;
    const hasLookup = options.lookup !== undefined;
    if (hasDraft === hasLookup) {
        throw new SpeculativeDecodingError(hasDraft ? 'both a draft model and prompt lookup were given' : 'neither a draft model nor prompt lookup was given',
            'Choose one drafter: a draft model (draftModel, --draft-model) or prompt lookup (lookup, --lookup).');
    }
    const maxDraft = options.maxDraft ?? (hasDraft ? 16 : 8);
    if (!Number.isInteger(maxDraft) || maxDraft < 1 || maxDraft > maxSpeculativeDraft) {
        throw new SpeculativeDecodingError(`maxDraft must be a whole number from 1 to ${maxSpeculativeDraft}, got ${String(options.maxDraft)}`, 'Use e.g. 8 or 16.');
    }
    if (hasDraft) {
        if (typeof options.draftModel !== 'string' || options.draftModel.trim() === '') {
            throw new SpeculativeDecodingError('draftModel must be the path of a GGUF model', 'Give the path of a smaller model of the same vocabulary.');
        }
        const minProbability = options.minProbability ?? 0.75;
        if (!(minProbability >= 0 && minProbability <= 1)) {
            throw new SpeculativeDecodingError(`minProbability must be a number from 0 to 1, got ${String(options.minProbability)}`, 'Use e.g. 0.75.');
        }
        return { kind: 'draft-model', draftModel: options.draftModel, maxDraft, minProbability };
    }
    if (options.minProbability !== undefined) {
        throw new SpeculativeDecodingError('minProbability is for a draft model, not prompt lookup', 'Leave it out with lookup.');
    }
    // A single matching token predicts little and each wrong draft token costs the model a row of its batch: from bigrams.
    const ngramMin = options.lookup!.ngramMin ?? 2;
    const ngramMax = options.lookup!.ngramMax ?? Math.max(3, ngramMin);
    for (const [name, value] of [['lookup.ngramMin', ngramMin], ['lookup.ngramMax', ngramMax]] as const) {
        if (!Number.isInteger(value) || value < 1 || value > maxLookupNgram) {
            throw new SpeculativeDecodingError(`${name} must be a whole number from 1 to ${maxLookupNgram}, got ${String(value)}`, 'Use e.g. ngramMin 2 and ngramMax 3.');
        }
    }
    if (ngramMax < ngramMin) throw new SpeculativeDecodingError(`lookup.ngramMax (${ngramMax}) is below lookup.ngramMin (${ngramMin})`, 'Give ngramMax ≥ ngramMin.');
    return { kind: 'lookup', ngramMin, ngramMax, maxDraft };
}
