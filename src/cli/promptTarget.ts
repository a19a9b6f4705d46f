import { resolve } from 'node:path';
import { loadPromptSource, type PromptSource } from './loadPromptSource';
import { stringOptions } from './optionTables';
import { jsonObjectFlag } from './parseFlags';
import { UsageError } from './UsageError';

/** `--text TEXT` instead of a file, and `--input JSON`: the variables a .prompt file is rendered with. */
export const promptTargetOptions = stringOptions('text', 'input');

/** What a command was asked to work on: one prompt file, or `--text`. */
export type PromptTarget = { file: string; text?: undefined } | { file?: undefined; text: string };

/** The one positional FILE or `--text "…"`, exactly one of the two. */
export function promptTarget(positionals: readonly string[], values: Record<string, unknown>): PromptTarget {
    if (positionals.length > 1) throw new UsageError(`one prompt file at a time (got ${positionals.join(', ')})`);
    const file = positionals[0];
    const text = values.text as string | undefined;
    if ((file === undefined) === (text === undefined)) throw new UsageError('give either a prompt file or --text "…"');
    return file !== undefined ? { file } : { text: text! };
}

/**
 * The target as the runtime takes it: a file through {@link loadPromptSource} (with `--input`), `--text` as raw
 * text. `--input` is read only for a file, so `--text` ignores it as it always has.
 */
export async function loadPromptTarget(target: PromptTarget, values: Record<string, unknown>): Promise<PromptSource> {
    return target.file !== undefined
        ? loadPromptSource(resolve(target.file), jsonObjectFlag(values, 'input'))
        : { kind: 'text', text: target.text };
}

