import type { SamplingOptions } from '../shared/runtimeApi';
import { UsageError } from './UsageError';
import { grammarFlag } from './grammarFlag';
import { logitBiasFlag, resolveLogitBias, type LogitBiasEntry } from './logitBiasFlag';

/** `--grammar FILE` and `--logit-bias LIST` (repeatable): the output constraints `run` takes besides the sampling flags. */
export const constraintOptions = {
    grammar: { type: 'string' },
    'logit-bias': { type: 'string', multiple: true },
} as const;

/** The constraint flags as read before a model is loaded: the grammar checked, the bias entries parsed. */
export interface ConstraintFlags {
    grammar?: string;
    logitBias?: LogitBiasEntry[];
}

/** Reads and checks `--grammar` and `--logit-bias`: every mistake they can have without a model fails here. */
export async function constraintFlags(values: Record<string, unknown>): Promise<ConstraintFlags> {
    const flags: ConstraintFlags = {};
    const grammar = await grammarFlag(values);
    if (grammar !== undefined) flags.grammar = grammar;
    const logitBias = logitBiasFlag(values);
    if (logitBias !== undefined) flags.logitBias = logitBias;
    return flags;
}

/**
 * `--grammar` replaces a prompt's own `config.grammar`, but not its `output.schema`, a constraint of another kind: the
 * two together are a usage error (as `config.grammar` beside `output.schema` is in the prompt itself), not a silent choice.
 */
export function checkGrammarFlag(flags: ConstraintFlags, prompt: { sampling: SamplingOptions }, file: string | undefined): void {
    if (flags.grammar !== undefined && prompt.sampling.jsonSchema !== undefined) {
        throw new UsageError(`--grammar cannot be combined with ${file}'s output.schema: use one of the two`);
    }
}

/** The sampling fields the constraint flags set, once the model can tokenize the bias words (absent fields left out). */
export async function resolveConstraints(
    flags: ConstraintFlags,
    model: { tokenize(text: string, options: { addBos: boolean }): Promise<number[]> },
): Promise<Pick<SamplingOptions, 'grammar' | 'logitBias'>> {
    const sampling: Pick<SamplingOptions, 'grammar' | 'logitBias'> = {};
    if (flags.grammar !== undefined) sampling.grammar = flags.grammar;
    if (flags.logitBias !== undefined) {
        // No BOS: the bias is for the word's own tokens wherever they occur (as in the playground).
        const logitBias = await resolveLogitBias(flags.logitBias, word => model.tokenize(word, { addBos: false }));
        if (logitBias !== undefined) sampling.logitBias = logitBias;
    }
    return sampling;
}
