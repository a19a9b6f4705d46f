import type { SamplingOptions } from '../shared/runtimeApi';
import { validateSampling } from '../core/sampling/validateSampling';
import { stringOptions } from './optionTables';
import { integerFlag, numberFlag } from './parseFlags';

/**
 * The command-line sampling flags and the `SamplingOptions` field each sets. One table serves the option
 * definitions and the parsing, so a flag cannot be declared by a command and then forgotten by its parser.
 */
const samplingFlagTable = {
    seed: { field: 'seed', parse: integerFlag },
    'max-tokens': { field: 'maxTokens', parse: integerFlag },
    temperature: { field: 'temperature', parse: numberFlag },
    'top-k': { field: 'topK', parse: integerFlag },
    'top-p': { field: 'topP', parse: numberFlag },
    'min-p': { field: 'minP', parse: numberFlag },
    'repeat-penalty': { field: 'repeatPenalty', parse: numberFlag },
} as const satisfies Record<string, { field: keyof SamplingOptions; parse: (values: Record<string, unknown>, name: string) => number | undefined }>;

export type SamplingFlag = keyof typeof samplingFlagTable;

/** Every sampling flag but `--seed`: `run --strategy` and `eval` hand the seed to the strategy apart from the sampling. */
export const unseededSamplingFlags = ['max-tokens', 'temperature', 'top-k', 'top-p', 'min-p', 'repeat-penalty'] as const satisfies readonly SamplingFlag[];

/** Every sampling flag, `--seed` first. */
export const allSamplingFlags = ['seed', ...unseededSamplingFlags] as const satisfies readonly SamplingFlag[];

/** The `parseArgs` options of the given sampling flags (all take a value). */
export function samplingOptions<Flag extends SamplingFlag>(flags: readonly Flag[]): Record<Flag, { type: 'string' }> {
    return stringOptions(...flags);
}

/**
 * The given sampling flags' values as `SamplingOptions` (absent flags left out), validated: impossible values
 * fail here, before a model is loaded; the runtime checks again with the vocabulary known. Flags are parsed in
 * the order given, which decides the bad flag reported first and the key order the run history writes.
 */
export function samplingFlags(values: Record<string, unknown>, flags: readonly SamplingFlag[]): SamplingOptions {
    const sampling: SamplingOptions = {};
    for (const flag of flags) {
        const { field, parse } = samplingFlagTable[flag];
        const value = parse(values, flag);
        if (value !== undefined) sampling[field] = value;
    }
    validateSampling(sampling);
    return sampling;
}
