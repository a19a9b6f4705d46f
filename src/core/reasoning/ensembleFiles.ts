import { readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { PromptDocument } from '../prompt/PromptDocument';
import { readPromptSource } from '../prompt/preparePrompt';
import type { PromptscopeSettings } from '../prompt/settings/PromptscopeSettings';

/**
 * The prompt files of an ensemble: the prompt itself first, then `promptscope.variants` (relative to it), or when
 * it lists none, its `NAME.*.prompt` siblings in name order.
 */
export async function ensembleFiles(path: string, settings: PromptscopeSettings): Promise<string[]> {
    const base = resolve(path);
    if (settings.variants) return [base, ...settings.variants.map(v => resolve(dirname(base), v))];
    const stem = basename(base, '.prompt');
    const siblings = (await readdir(dirname(base)))
        .filter(name => name.startsWith(`${stem}.`) && name.endsWith('.prompt') && name !== basename(base))
        .sort()
        .map(name => join(dirname(base), name));
    return [base, ...siblings];
}

/**
 * The variant files of an ensemble, each read once (every dataset row renders it again with its own input), with the
 * variant size limit and refusals of the bounded reader: a variant that is a FIFO, a device link or too large is
 * refused naming it.
 */
export function readVariantSources(files: readonly string[]): Promise<({ document: PromptDocument } | { text: string; file: string })[]> {
    return Promise.all(files.map(file => readPromptSource(file, 'variant')));
}
