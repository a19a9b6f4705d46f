import { homedir } from 'node:os';
import { join } from 'node:path';

/** Whether a `promptscope.model` value names a remote model (`hf:owner/repo:quant` or an http(s) URL) rather than a file. */
export function isRemoteModelUri(model: string): boolean {
    return /^(hf:|huggingface:|https?:\/\/)/i.test(model);
}

/** Where `hf:` downloads are cached unless LoadModelOptions.modelsDirectory says otherwise. */
export function defaultModelsDirectory(): string {
    return join(homedir(), '.cache', 'promptscope', 'models');
}
