/**
 * Where a prompt runs, as a `.prompt` file (`promptscope.backend`), the CLI (`--backend`) and the editor's settings
 * write it: `embedded` (the default: the model runs in Promptscope's own runtime), or one or more base URLs of
 * OpenAI-compatible servers, requests spread over them in turn. Secrets (API keys) never live here.
 */
export type BackendSetting =
    | { kind: 'embedded' }
    | {
        kind: 'openai-compatible';
        /** Base URLs, `http(s)://host[:port][/v1]`, at least one. */
        urls: string[];
        /** The model name to request. Defaults to the server's only model. */
        model?: string;
    };

/**
 * Reads a backend as written: `embedded`, `URL[,URL…]`, or (front matter) a mapping `{url: URL | [URL…], model}`.
 * Returns the setting, or a sentence saying what is wrong for the caller to put in its own error.
 */
export function parseBackendSetting(value: unknown): BackendSetting | string {
    if (typeof value === 'string') {
        if (value.trim() === 'embedded') return { kind: 'embedded' };
        const urls = value.split(',').map(u => u.trim()).filter(u => u !== '');
        return withUrls(urls, undefined);
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const { url, model, ...rest } = value as Record<string, unknown>;
        const unknown = Object.keys(rest);
        if (unknown.length > 0) return `has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: url, model; API keys belong in the environment, never in a file)`;
        if (model !== undefined && (typeof model !== 'string' || model.trim() === '')) return `model must be a non-empty string; got ${JSON.stringify(model)}`;
        const urls = typeof url === 'string' ? [url] : Array.isArray(url) && url.every(u => typeof u === 'string') ? url as string[] : undefined;
        if (urls === undefined) return 'url must be a URL or a list of URLs';
        return withUrls(urls.map(u => u.trim()), model as string | undefined);
    }
    return `must be \`embedded\`, a server URL (or several, comma-separated), or {url, model}; got ${JSON.stringify(value)}`;
}

function withUrls(urls: string[], model: string | undefined): BackendSetting | string {
    if (urls.length === 0) return 'names no server URL';
    for (const url of urls) {
        let parsed: URL;
        try {
            parsed = new URL(url);
        } catch {
            return `${JSON.stringify(url)} is not a URL (expected e.g. http://127.0.0.1:8080)`;
        }
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${JSON.stringify(url)} is not an http(s) URL`;
        if (parsed.username !== '' || parsed.password !== '') return `${JSON.stringify(url)} carries credentials: put the API key in PROMPTSCOPE_BACKEND_API_KEY instead`;
        if (parsed.search !== '' || parsed.hash !== '') return `${JSON.stringify(url)} has a query or fragment; give the server's base URL`;
    }
    return { kind: 'openai-compatible', urls, ...(model === undefined ? {} : { model }) };
}
