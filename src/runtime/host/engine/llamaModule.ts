import type * as LlamaModule from 'node-llama-cpp';

export type LlamaModuleType = typeof LlamaModule;

let loading: Promise<LlamaModuleType> | undefined;

/**
 * node-llama-cpp, loaded once. It is ESM-only and the bundles are CommonJS, so it is always imported
 * dynamically (esbuild keeps it external); this is the only value import of it in the code base.
 */
export function loadLlamaModule(): Promise<LlamaModuleType> {
    loading ??= import('node-llama-cpp');
    return loading;
}
