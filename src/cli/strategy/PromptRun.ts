import { basename, dirname, join, resolve } from 'node:path';
import { readdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ChatMessage, LoraAdapterSpec, SamplingOptions } from '../../runtime/api';
import { PromptDocument, readPromptscopeSettings } from '../../core/prompt';
import type { PromptscopeSettings } from '../../core/prompt/settings/PromptscopeSettings';
import { loadPromptSource } from '../loadPromptSource';
import { PromptSettingsError } from './PromptSettingsError';

/** One prompt ready to run: what goes to the model, and the prompt's own Promptscope settings. */
export interface PromptRun {
    /** Absolute path of the prompt file; undefined for `--text`. */
    file: string | undefined;
    messages: ChatMessage[];
    /** The prompt's own sampling (its `config`, `output.schema` as a JSON-schema grammar). */
    sampling: SamplingOptions;
    lora: LoraAdapterSpec[];
    settings: PromptscopeSettings;
    /** sha256 of the file's text (or of the `--text`), so a history line names the exact prompt it ran. */
    promptHash: string;
}

/** Renders a prompt file (or wraps `--text`) with `input` into a {@link PromptRun}. */
export async function loadPromptRun(file: string | undefined, text: string | undefined, input: Record<string, unknown> | undefined): Promise<PromptRun> {
    if (file === undefined) {
        return { file: undefined, messages: [{ role: 'user', text: text ?? '' }], sampling: {}, lora: [], settings: {}, promptHash: sha256(text ?? '') };
    }
    const path = resolve(file);
    const source = await loadPromptSource(path, input);
    const raw = await readFile(path, 'utf8');
    if (source.kind === 'text') {
        return { file: path, messages: [{ role: 'user', text: source.text }], sampling: {}, lora: [], settings: {}, promptHash: sha256(raw) };
    }
    // An invalid setting is dropped by the reader; running without it would silently use a default instead.
    const { settings, issues } = readPromptscopeSettings((await PromptDocument.load(path)).frontMatterData());
    const problem = issues.find(issue => issue.severity === 'error');
    if (problem) throw new PromptSettingsError(path, problem.message);
    return { file: path, messages: source.messages, sampling: source.sampling, lora: source.lora, settings, promptHash: sha256(raw) };
}

/** A prompt's `promptscope.*` settings; unreadable files give none (loading the prompt reports the real problem). */
export async function promptSettings(path: string): Promise<PromptscopeSettings> {
    try {
        return readPromptscopeSettings((await PromptDocument.load(path)).frontMatterData()).settings;
    } catch {
        return {};
    }
}

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

function sha256(text: string): string {
    return createHash('sha256').update(text).digest('hex');
}
