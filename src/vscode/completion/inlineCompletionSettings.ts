/**
 * The `promptscope.inlineCompletion.*` settings as typed values. Free of `vscode` so unit tests can run it; read on
 * every completion request, so a change applies to the next keystroke without reloading the model.
 */
import type { SettingReader } from '../modelSettings';

export interface InlineCompletionSettings {
    /** Ghost-text completions in the body of `.prompt` files. Defaults to `true`. */
    enabled: boolean;
    /** Most tokens one completion generates. Defaults to `32`. */
    maxTokens: number;
}

export const defaultInlineCompletionSettings: InlineCompletionSettings = { enabled: true, maxTokens: 32 };

/** Upper bound for maxTokens: ghost text is a line or a paragraph, and every token costs latency while typing. */
const maxTokensLimit = 512;

/** The settings with invalid values replaced by their defaults; `problems` says which and why, for the log. */
export function readInlineCompletionSettings(get: SettingReader): { settings: InlineCompletionSettings; problems: string[] } {
    const settings = { ...defaultInlineCompletionSettings };
    const problems: string[] = [];
    const enabled = get('inlineCompletion.enabled');
    if (typeof enabled === 'boolean') settings.enabled = enabled;
    else if (enabled !== undefined && enabled !== null) problems.push(`promptscope.inlineCompletion.enabled: ${JSON.stringify(enabled)} is not true or false; using true`);

    const maxTokens = get('inlineCompletion.maxTokens');
    if (typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= maxTokensLimit) {
        settings.maxTokens = maxTokens;
    } else if (maxTokens !== undefined && maxTokens !== null) {
        problems.push(`promptscope.inlineCompletion.maxTokens: ${JSON.stringify(maxTokens)} is not a whole number from 1 to ${maxTokensLimit}; `
            + `using ${defaultInlineCompletionSettings.maxTokens}`);
    }
    return { settings, problems };
}
