import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PromptDocument, readPromptscopeSettings } from '../../core/prompt';
import type { PromptscopeSettings } from '../../core/prompt/settings/PromptscopeSettings';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import { loadPromptSource } from '../loadPromptSource';
import { PromptSettingsError } from './PromptSettingsError';

export type { PromptRun } from '../../core/reasoning/PromptRun';
export { ensembleFiles } from '../../core/reasoning/ensembleFiles';

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

function sha256(text: string): string {
    return createHash('sha256').update(text).digest('hex');
}
