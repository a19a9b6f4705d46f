import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { ModelRefError } from './errors/ModelRefError';

/**
 * A model reference as users write it: a path to a `.gguf` file, or a Hugging Face URI that
 * node-llama-cpp's downloader resolves (`hf:owner/repo`, `hf:owner/repo:quant`, `hf:owner/repo/file.gguf#branch`).
 */
export type ModelRef = string;

const hfPrefixes = ['hf://', 'huggingface://', 'hf:', 'huggingface:'];

/** Whether `ref` names a Hugging Face model rather than a file on disk. */
export function isHfUri(ref: ModelRef): boolean {
    return hfPrefixes.some(prefix => ref.startsWith(prefix));
}

export interface HfUriParts {
    owner: string;
    repo: string;
    /** Quantization tag after `:`, e.g. `Q4_K_M`. */
    quant?: string;
    /** File path inside the repository, when the URI names one. */
    file?: string;
    branch?: string;
}

// Mirrors node-llama-cpp's parseModelUri so a URI we accept is one its downloader accepts.
const hfBody = /^([\w.-]+)\/([\w.-]+)(?::([\w.-]+)|\/([^\s#]+\.gguf)(?:#([\w./-]+))?)?$/i;

/** The parts of an `hf:` URI, or `undefined` when it is not one node-llama-cpp can resolve. */
export function parseHfUri(ref: ModelRef): HfUriParts | undefined {
    const prefix = hfPrefixes.find(p => ref.startsWith(p));
    if (prefix === undefined) return undefined;
    const match = hfBody.exec(ref.slice(prefix.length).trim());
    if (match === null) return undefined;
    const [, owner, repo, quant, file, branch] = match;
    return { owner: owner!, repo: repo!, quant, file, branch };
}

/** Why `text` is not a usable `hf:` URI (for input validation), or `undefined` when it is one. */
export function hfUriProblem(text: string): string | undefined {
    const trimmed = text.trim();
    if (trimmed === '') return 'Enter a URI such as hf:owner/repo:Q4_K_M';
    if (!isHfUri(trimmed)) return 'A Hugging Face model URI starts with hf:, e.g. hf:owner/repo:Q4_K_M';
    if (parseHfUri(trimmed) === undefined) {
        return 'Expected hf:owner/repo, hf:owner/repo:QUANT or hf:owner/repo/path/file.gguf';
    }
    return undefined;
}

/** Short name and detail line for showing a model reference in lists and the status bar. */
export function describeModelRef(ref: ModelRef): { label: string; detail: string } {
    const hf = parseHfUri(ref);
    if (hf !== undefined) {
        const what = hf.file !== undefined ? basename(hf.file) : `${hf.repo}${hf.quant !== undefined ? `:${hf.quant}` : ''}`;
        return { label: what, detail: `Hugging Face · ${hf.owner}/${hf.repo}` };
    }
    return { label: basename(ref), detail: dirname(ref) };
}

export interface ModelPathBase {
    /** Folder a relative path is resolved against (the workspace folder for workspace settings). */
    baseDir?: string;
    /** Replaces `${workspaceFolder}`. */
    workspaceFolder?: string;
    /** Replaces a leading `~`. Defaults to the user's home directory. */
    homeDir?: string;
}

/**
 * Turns a user-written model reference into what the runtime accepts: an absolute path (after
 * `${workspaceFolder}` and `~` expansion) or an unchanged `hf:` URI. Throws ModelRefError when a
 * path cannot be made absolute.
 */
export function resolveModelRef(ref: ModelRef, base: ModelPathBase = {}, setting = 'promptscope.model'): ModelRef {
    const trimmed = ref.trim();
    if (isHfUri(trimmed)) return trimmed;
    let path = trimmed;
    if (path.includes('${workspaceFolder}')) {
        if (base.workspaceFolder === undefined) {
            throw new ModelRefError(ref, setting, '${workspaceFolder} is used but no folder is open; open the folder or use an absolute path');
        }
        path = path.replaceAll('${workspaceFolder}', base.workspaceFolder);
    }
    if (path === '~' || path.startsWith('~/') || path.startsWith('~\\')) path = join(base.homeDir ?? homedir(), path.slice(1));
    if (isAbsolute(path)) return normalize(path);
    if (base.baseDir === undefined) {
        throw new ModelRefError(ref, setting, 'a relative path needs an open folder to resolve against; use an absolute path');
    }
    return join(base.baseDir, path);
}
