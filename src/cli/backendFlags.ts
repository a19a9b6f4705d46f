import { parseBackendSetting, type BackendSetting } from '../core/backends/backendSetting';
import type { OpenAiBackendOptions } from '../runtime/backends/openai/OpenAiCompatibleBackend';
import { stringOptions } from './optionTables';
import { integerFlag, numberFlag } from './parseFlags';
import { UsageError } from './UsageError';

/** The environment variable the CLI reads a server's API key from (sent as `Authorization: Bearer …`). */
export const backendApiKeyVariable = 'PROMPTSCOPE_BACKEND_API_KEY';

/**
 * `--backend embedded|URL[,URL…]`, `--backend-model NAME`, `--backend-header 'Name: value'` (repeatable),
 * `--backend-timeout SECONDS`, and `--concurrency N` (requests in flight; the server's slot count by default).
 */
export const backendOptions = {
    ...stringOptions('backend', 'backend-model', 'backend-timeout', 'concurrency'),
    'backend-header': { type: 'string', multiple: true },
} as const;

export const backendUsage = `  --backend B          Where the model runs: embedded (default) or an OpenAI-compatible server's base URL
                       (llama-server, vLLM, SGLang, Ollama); several comma-separated get requests in turn
                       (default: the prompt's promptscope.backend). API key: $${backendApiKeyVariable}
  --backend-model M    The model name to request (default: the server's only model)
  --backend-header H   Extra request header 'Name: value' (repeatable)
  --backend-timeout S  Abort a server request that sends nothing for S seconds (default 120)
  --concurrency N      Server requests in flight at once (default: the servers' slot counts added up)
`;

/** The backend the flags choose, else the prompt's `promptscope.backend`; undefined for the embedded runtime. */
export function serverChoice(values: Record<string, unknown>, promptSetting: BackendSetting | undefined, env: NodeJS.ProcessEnv = process.env): OpenAiBackendOptions | undefined {
    let setting = promptSetting;
    if (typeof values.backend === 'string') {
        const parsed = parseBackendSetting(values.backend);
        if (typeof parsed === 'string') throw new UsageError(`--backend ${parsed}`);
        setting = parsed;
    }
    const serverOnly = ['backend-model', 'backend-header', 'backend-timeout', 'concurrency'].filter(flag => values[flag] !== undefined);
    if (setting === undefined || setting.kind === 'embedded') {
        if (serverOnly.length > 0 && !('model-flags-elsewhere' in values)) throw new UsageError(`--${serverOnly[0]} applies to a server backend (--backend URL)`);
        return undefined;
    }
    // eval --compare-backend: the model flags belong to the other, embedded side.
    const local = values['model-flags-elsewhere'] === true ? [] : ['model', 'threads', 'gpu', 'context-size', 'lora', 'runtime-timeout'].filter(flag => values[flag] !== undefined);
    if (local.length > 0) {
        throw new UsageError(`--${local[0]} configures the embedded runtime; the server at ${setting.urls.join(', ')} runs its own model (choose it with --backend-model)`);
    }
    const headers: Record<string, string> = {};
    for (const header of (values['backend-header'] as string[] | undefined) ?? []) {
        const at = header.indexOf(':');
        const name = header.slice(0, at).trim();
        if (at <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`--backend-header expects 'Name: value'; got ${JSON.stringify(header)}`);
        headers[name] = header.slice(at + 1).trim();
    }
    const timeoutSeconds = numberFlag(values, 'backend-timeout');
    if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) throw new UsageError(`--backend-timeout expects seconds > 0; got ${values['backend-timeout']}`);
    const concurrency = integerFlag(values, 'concurrency');
    if (concurrency !== undefined && concurrency < 1) throw new UsageError(`--concurrency expects an integer ≥ 1; got ${concurrency}`);
    const model = (values['backend-model'] as string | undefined) ?? setting.model;
    const apiKey = env[backendApiKeyVariable]?.trim();
    return {
        urls: setting.urls,
        ...(model === undefined ? {} : { model }),
        ...(apiKey ? { apiKey } : {}),
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
        ...(concurrency === undefined ? {} : { concurrency }),
        // probs' --after-sampler: generated tokens' probabilities as the server's sampler left them.
        ...(values['after-sampler'] === true ? { afterSampler: true } : {}),
    };
}
