import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ChatMessage, LoraAdapterSpec, SamplingOptions } from '../shared/runtimeApi';
import { configKeys, PromptDocument, readPromptscopeSettings, renderPrompt, toChatMessages } from '../core/prompt';

/** What one `run` sends to the runtime: chat messages through the model's template, or raw text to continue. */
export type PromptSource =
    | { kind: 'chat'; messages: ChatMessage[]; sampling: SamplingOptions; lora: LoraAdapterSpec[] }
    | { kind: 'text'; text: string };

/** The prompt's own adapters (`promptscope.lora`); raw text has none. */
export function sourceLora(source: PromptSource): LoraAdapterSpec[] {
    return source.kind === 'chat' ? source.lora : [];
}

/** The prompt's own sampling (its `config`) under the command line's sampling flags; raw text has none of its own. */
export function sourceSampling(source: PromptSource, flags: SamplingOptions): SamplingOptions {
    return source.kind === 'chat' ? { ...source.sampling, ...flags } : flags;
}

/**
 * THE single integration point between the CLI and `.prompt` files: a file path (and `--input`) in, what to
 * run out. `.prompt` files are rendered by src/core/prompt (Dotprompt), their `config` mapped onto sampling
 * options through its `configKeys` table, `output.schema` onto a JSON-schema grammar and `promptscope.lora`
 * onto adapters; any other file is raw text. When src/core/prompt grows a "prepare a run" function, this body
 * becomes a call to it.
 */
export async function loadPromptSource(path: string, input: Record<string, unknown> | undefined): Promise<PromptSource> {
    if (!path.endsWith('.prompt')) {
        let text: string;
        try {
            text = await readFile(path, 'utf8');
        } catch (error) {
            throw new Error(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
        }
        return { kind: 'text', text };
    }

    let doc: PromptDocument;
    try {
        doc = await PromptDocument.load(path);
    } catch (error) {
        throw new Error(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    const rendered = await renderPrompt(doc, { input });
    const messages = toChatMessages(rendered.messages, path);

    const sampling: SamplingOptions = {};
    const config = (rendered.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
        const info = configKeys.find(k => k.key === key);
        if (info === undefined) throw new Error(`${path}: unknown config key "${key}" (known: ${configKeys.map(k => k.key).join(', ')}).`);
        (sampling as Record<string, unknown>)[info.field] = value;
    }
    const schema = rendered.output?.schema;
    if (schema !== undefined && rendered.output?.format !== 'text' && sampling.grammar === undefined) sampling.jsonSchema = schema;

    const { settings } = readPromptscopeSettings(doc.frontMatterData());
    const lora = (settings.lora ?? []).map(adapter => ({ path: resolve(dirname(path), adapter.path), scale: adapter.scale }));
    return { kind: 'chat', messages, sampling, lora };
}
