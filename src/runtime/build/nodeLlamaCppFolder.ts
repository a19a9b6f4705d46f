import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * node-llama-cpp's package folder on disk, found without importing it (its bundled llama.cpp source and prebuilt
 * binaries are read as files: the reference benchmark build, the native addon). Lives in src/runtime because
 * everything that depends on node-llama-cpp's exact layout belongs here.
 */
export function nodeLlamaCppFolder(from: string = __dirname): string | undefined {
    for (let folder = from; ; folder = dirname(folder)) {
        const candidate = join(folder, 'node_modules', 'node-llama-cpp');
        if (existsSync(join(candidate, 'llama', 'llama.cpp.info.json'))) return candidate;
        if (dirname(folder) === folder) return undefined;
    }
}
