/**
 * Which backend a run uses in the editor, and whether an untrusted workspace may choose it. Free of `vscode` so unit
 * tests run it. Order: the `.prompt` file's `promptscope.backend` (read by core's one preparation, as the CLI reads
 * it), else the settings (`promptscope.backend`, `promptscope.server.*`), else the embedded runtime.
 */
import type { BackendSetting } from '../../core/backends/backendSetting';
import type { OpenAiBackendOptions } from '../../runtime/backends/openai/OpenAiCompatibleBackend';
import type { ServerSettings } from './serverSettings';

export type BackendChoice =
    | { kind: 'embedded' }
    | {
        kind: 'server';
        /** Everything a connection needs but the API key (read from SecretStorage only when connecting). */
        options: Omit<OpenAiBackendOptions, 'apiKey'>;
        /** Where the choice was made, for messages: `promptscope.backend in story.prompt`, or the settings. */
        chosenBy: string;
    }
    /** A sentence saying what was refused, why, and the fix. */
    | { kind: 'refused'; message: string };

export interface BackendChoiceInput {
    /** The prompt's own `promptscope.backend`, when it has one. */
    prompt?: BackendSetting;
    /** The prompt's file name, for messages. Defaults to "the prompt". */
    promptName?: string;
    /** The settings; undefined when they are invalid (`problem` says how). */
    settings: ServerSettings | undefined;
    /** What is wrong with the settings, when `settings` is undefined. */
    problem?: string;
    /** Whether a workspace or folder layer sets a server destination (URLs, model, headers, the backend). */
    workspaceSetsServer: boolean;
    workspaceTrusted: boolean;
}

const trustFix = 'Trust the workspace (Workspaces: Manage Workspace Trust), or set the server in your user settings.';

/**
 * The backend for one run. An untrusted workspace may not send prompts (and the API key) to a server it names itself,
 * in a `.prompt` file or its settings: such a run is refused rather than quietly run elsewhere.
 */
export function chooseBackend(input: BackendChoiceInput): BackendChoice {
    const { settings } = input;
    const name = input.promptName ?? 'the prompt';
    if (input.prompt?.kind === 'embedded') return { kind: 'embedded' };
    if (input.prompt?.kind === 'openai-compatible') {
        if (!input.workspaceTrusted) {
            return { kind: 'refused', message: `${name} names the server ${input.prompt.urls.join(', ')} in promptscope.backend, and this workspace is not trusted: nothing was sent. ${trustFix}` };
        }
        const sameServers = settings?.backend.kind === 'openai-compatible' && sameList(settings.backend.urls, input.prompt.urls);
        // The settings' model name belongs to the settings' servers; another server is asked for its only model.
        const model = input.prompt.model ?? (sameServers && settings?.backend.kind === 'openai-compatible' ? settings.backend.model : undefined);
        return {
            kind: 'server', chosenBy: `promptscope.backend in ${name}`,
            options: { urls: input.prompt.urls, ...(model !== undefined ? { model } : {}), ...connectionOptions(settings) },
        };
    }
    if (settings === undefined) return { kind: 'refused', message: `${input.problem ?? 'the server settings are invalid'}.` };
    if (input.workspaceSetsServer && !input.workspaceTrusted && settings.backend.kind === 'openai-compatible') {
        return { kind: 'refused', message: `this workspace's settings choose the server ${settings.backend.urls.join(', ')} (promptscope.backend, promptscope.server.*), and the workspace is not trusted: nothing was sent. ${trustFix}` };
    }
    if (settings.backend.kind === 'embedded') return { kind: 'embedded' };
    return {
        kind: 'server', chosenBy: 'the settings promptscope.backend and promptscope.server.urls',
        options: { urls: settings.backend.urls, ...(settings.backend.model !== undefined ? { model: settings.backend.model } : {}), ...connectionOptions(settings) },
    };
}

function connectionOptions(settings: ServerSettings | undefined): Omit<OpenAiBackendOptions, 'urls' | 'model' | 'apiKey'> {
    if (settings === undefined) return {};
    return {
        timeoutSeconds: settings.timeoutSeconds,
        ...(Object.keys(settings.headers).length > 0 ? { headers: settings.headers } : {}),
        ...(settings.concurrency !== undefined ? { concurrency: settings.concurrency } : {}),
        ...(settings.afterSampler ? { afterSampler: true } : {}),
    };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
    const normal = (u: string) => u.replace(/\/+$/, '').replace(/\/v1$/, '');
    return a.length === b.length && a.every((u, i) => normal(u) === normal(b[i]!));
}
