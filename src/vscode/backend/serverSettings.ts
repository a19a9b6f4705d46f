/**
 * `promptscope.backend` and `promptscope.server.*` as typed values: where the editor runs prompts when a `.prompt`
 * file does not say (`promptscope.backend` in its front matter wins). Free of `vscode` so unit tests run it; Config
 * feeds it. None of these settings needs a model reload: a change closes the current server connection and the next
 * run connects again. The API key is not a setting (it lives in SecretStorage, see ServerApiKey).
 */
import { parseBackendSetting, type BackendSetting } from '../../core/backends/backendSetting';
import type { SettingReader } from '../modelSettings';
import type { SettingLayers } from '../workspaceTrust';

/** What the settings say about servers, whichever backend is chosen. */
export interface ServerSettings {
    /** The workspace's backend: the embedded runtime, or the servers of `promptscope.server.urls`. */
    backend: BackendSetting;
    /** `promptscope.server.headers`: extra headers on every server request. Defaults to none. */
    headers: Record<string, string>;
    /** `promptscope.server.timeoutSeconds`: idle seconds before a request is aborted. Defaults to 120. */
    timeoutSeconds: number;
    /** `promptscope.server.concurrency`: requests in flight at once; undefined: the servers' slot counts. */
    concurrency: number | undefined;
    /**
     * `promptscope.server.probabilitiesAfterSampler`: the probabilities panel shows what llama-server's sampler chain
     * left (`post_sampling_probs`) instead of the model's raw distribution. Defaults to false.
     */
    afterSampler: boolean;
}

export const defaultServerTimeoutSeconds = 120;

/** Keys (relative to `promptscope.`) whose workspace values choose where requests go or what they carry. */
export const serverDestinationKeys = ['backend', 'server.urls', 'server.model', 'server.headers'] as const;

/** A header name as HTTP allows it (RFC 9110 token). */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The settings with every invalid value named in `problems` (the setting, what is wrong, the fix). An invalid backend
 * is not replaced by the embedded runtime behind the user's back: `backend` is then undefined and the caller refuses.
 */
export function readServerSettings(get: SettingReader): { settings: ServerSettings | undefined; problems: string[] } {
    const problems: string[] = [];
    const headers: Record<string, string> = {};
    const rawHeaders = get('server.headers');
    if (rawHeaders !== undefined && rawHeaders !== null) {
        if (typeof rawHeaders !== 'object' || Array.isArray(rawHeaders)) {
            problems.push(`promptscope.server.headers: must be an object of header names to values; got ${JSON.stringify(rawHeaders)}`);
        } else {
            for (const [name, value] of Object.entries(rawHeaders)) {
                if (!headerName.test(name)) problems.push(`promptscope.server.headers: ${JSON.stringify(name)} is not a header name`);
                else if (typeof value !== 'string' || /[\r\n]/.test(value)) problems.push(`promptscope.server.headers: the value of ${name} must be a one-line string`);
                else if (name.toLowerCase() === 'authorization') problems.push('promptscope.server.headers: Authorization is not taken from settings; run "Promptscope: Set Server API Key…" (kept in the secret storage)');
                else headers[name] = value;
            }
        }
    }
    const rawTimeout = get('server.timeoutSeconds');
    let timeoutSeconds = defaultServerTimeoutSeconds;
    if (rawTimeout !== undefined) {
        if (typeof rawTimeout === 'number' && Number.isFinite(rawTimeout) && rawTimeout > 0) timeoutSeconds = rawTimeout;
        else problems.push(`promptscope.server.timeoutSeconds: ${JSON.stringify(rawTimeout)} is not a number of seconds > 0; using ${defaultServerTimeoutSeconds}`);
    }
    const rawConcurrency = get('server.concurrency');
    let concurrency: number | undefined;
    if (rawConcurrency !== undefined && rawConcurrency !== 0) {
        if (typeof rawConcurrency === 'number' && Number.isInteger(rawConcurrency) && rawConcurrency > 0) concurrency = rawConcurrency;
        else problems.push(`promptscope.server.concurrency: ${JSON.stringify(rawConcurrency)} is not an integer ≥ 1 (0: the servers' slot counts); using the slot counts`);
    }

    const rawAfter = get('server.probabilitiesAfterSampler');
    let afterSampler = false;
    if (rawAfter !== undefined) {
        if (typeof rawAfter === 'boolean') afterSampler = rawAfter;
        else problems.push(`promptscope.server.probabilitiesAfterSampler: ${JSON.stringify(rawAfter)} is not true or false; using false`);
    }

    const kind = get('backend') ?? 'embedded';
    let backend: BackendSetting | undefined;
    if (kind === 'embedded') {
        backend = { kind: 'embedded' };
    } else if (kind === 'openai-compatible') {
        const urls = get('server.urls');
        const model = get('server.model');
        const list = typeof urls === 'string' ? [urls] : Array.isArray(urls) ? urls : [];
        const parsed = list.length === 0 ? 'names no server URL' : parseBackendSetting({ url: list, ...(typeof model === 'string' && model.trim() !== '' ? { model: model.trim() } : {}) });
        if (typeof parsed === 'string') {
            problems.push(`promptscope.server.urls: ${parsed}; set it to the server's base URL, e.g. ["http://127.0.0.1:8080"] (promptscope.backend is openai-compatible)`);
        } else {
            backend = parsed;
        }
    } else {
        problems.push(`promptscope.backend: ${JSON.stringify(kind)} is not "embedded" or "openai-compatible"`);
    }
    return { settings: backend === undefined ? undefined : { backend, headers, timeoutSeconds, concurrency, afterSampler }, problems };
}

/** Whether any layer but the user's (the workspace, a folder) sets `layers`' value. */
export function setByWorkspace(layers: SettingLayers<unknown> | undefined): boolean {
    return layers?.workspaceValue !== undefined || layers?.workspaceFolderValue !== undefined;
}
