import { resolve } from 'node:path';
import type { LoraAdapterSpec, SamplingOptions } from '../shared/runtimeApi';
import { formatDiagnostic, preparePrompt, type PreparedPrompt, type PromptSource } from '../core/prompt';
import { formatRetrieval } from '../core/retrieval/formatRetrieval';
import { stringOptions } from './optionTables';
import { jsonObjectFlag, loraFlags } from './parseFlags';
import { UsageError } from './UsageError';
import { withRetrievalEmbedder } from './RetrievalEmbedder';

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
 * The target through core's one preparation (`preparePrompt`, as the editor prepares the same file): a file read
 * once (a `.prompt` rendered with `--input` and checked, any other file raw text), `--text` as raw text, which
 * ignores `--input` as it always has. A prompt with `promptscope.retrieval` has its query embedded by a runtime
 * started for that alone (see RetrievalEmbedder) and its passages listed on stderr. The prompt's warnings go to stderr
 * as FILE:LINE:COLUMN: warning: MESSAGE; its errors are thrown (exit 1).
 */
export async function preparePromptTarget(target: PromptTarget, values: Record<string, unknown>): Promise<PreparedPrompt> {
    const input = target.file !== undefined ? jsonObjectFlag(values, 'input') : undefined;
    const source: PromptSource = target.file !== undefined ? { path: resolve(target.file) } : { text: target.text };
    return printRetrieval(printWarnings(await withRetrievalEmbedder(embedder => preparePrompt(source, { input, embedder }))));
}

/** The passages `promptscope.retrieval` put into the prompt, on stderr: rank, cosine score, file and lines, first words. */
export function printRetrieval<T extends PreparedPrompt>(prepared: T): T {
    if (prepared.retrieval !== undefined) process.stderr.write(formatRetrieval(prepared.retrieval));
    return prepared;
}

/** `prepared`'s warnings on stderr, in the words and positions the editor shows them. */
export function printWarnings<T extends PreparedPrompt>(prepared: T): T {
    for (const warning of prepared.warnings) {
        if (warning.severity !== 'error') process.stderr.write(formatDiagnostic(warning, prepared.file) + '\n');
    }
    return prepared;
}

/** The prompt's own sampling (its `config`) under the command line's sampling flags; raw text has none of its own. */
export function sourceSampling(source: PreparedPrompt, flags: SamplingOptions): SamplingOptions {
    return { ...source.sampling, ...flags };
}

/**
 * The adapters a request carries, as the editor sends them: the prompt's own (`promptscope.lora`), then `--lora`'s,
 * for this request instead of the model's; undefined (the model's own: `--lora`'s) when the prompt names none.
 */
export function requestLora(source: Pick<PreparedPrompt, 'lora'>, values: Record<string, unknown>): LoraAdapterSpec[] | undefined {
    return source.lora.length === 0 ? undefined : [...source.lora, ...loraFlags(values)];
}
