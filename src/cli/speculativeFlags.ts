import { resolve } from 'node:path';
import { maxSpeculativeDraft, type SpeculativeOptions } from '../shared/runtimeApi';
import { SpeculativeDecodingError } from '../shared/errors/SpeculativeDecodingError';
import { validateSpeculative } from '../core/decoding/validateSpeculative';
import { booleanOptions, stringOptions } from './optionTables';
import { integerFlag, numberFlag } from './parseFlags';
import { UsageError } from './UsageError';

/** `--draft-model PATH` or `--lookup`, with `--draft-max N` and `--draft-min-p P`: speculative decoding of a plain run. */
export const speculativeOptions = { ...stringOptions('draft-model', 'draft-max', 'draft-min-p'), ...booleanOptions('lookup') };

export const speculativeUsage = `  --draft-model M      Speculative decoding with M, a smaller GGUF of the same vocabulary, drafting greedily: the
                       same output, faster when its drafts are often right
  --lookup             Speculative decoding by prompt lookup: drafts what followed the last 2-3 tokens earlier in the
                       text (no second model; helps when the output repeats the input)
  --draft-max N        Most tokens drafted per round (default 16 with --draft-model, 8 with --lookup)
  --draft-min-p P      A draft model's token is drafted only while its probability is at least P (default 0.75)
`;

/** The speculative options the flags ask for, checked as the runtime checks them; undefined without any of them. */
export function speculativeFlags(values: Record<string, unknown>): SpeculativeOptions | undefined {
    const draftModel = values['draft-model'] as string | undefined;
    const lookup = values.lookup === true;
    const maxDraft = integerFlag(values, 'draft-max');
    const minProbability = numberFlag(values, 'draft-min-p');
    if (draftModel === undefined && !lookup) {
        if (maxDraft !== undefined || minProbability !== undefined) throw new UsageError('--draft-max and --draft-min-p go with --draft-model or --lookup');
        return undefined;
    }
    if (draftModel !== undefined && lookup) throw new UsageError('give either --draft-model or --lookup, not both');
    if (maxDraft !== undefined && (maxDraft < 1 || maxDraft > maxSpeculativeDraft)) {
        throw new UsageError(`--draft-max must be a whole number from 1 to ${maxSpeculativeDraft}, got ${maxDraft}`);
    }
    if (minProbability !== undefined && !(minProbability >= 0 && minProbability <= 1)) {
        throw new UsageError(`--draft-min-p must be a number from 0 to 1, got ${minProbability}`);
    }
    if (minProbability !== undefined && lookup) throw new UsageError('--draft-min-p is for --draft-model, not --lookup');
    const options: SpeculativeOptions = {
        ...(draftModel !== undefined ? { draftModel: resolve(draftModel) } : { lookup: {} }),
        ...(maxDraft !== undefined ? { maxDraft } : {}),
        ...(minProbability !== undefined ? { minProbability } : {}),
    };
    // The runtime's own check, for anything the flags above cannot say (same rules, one implementation).
    try {
        validateSpeculative(options);
    } catch (error) {
        if (error instanceof SpeculativeDecodingError) throw new UsageError(`speculative decoding: ${error.problem}`);
        throw error;
    }
    return options;
}
