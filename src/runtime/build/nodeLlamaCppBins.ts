import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder of node-llama-cpp's prebuilt llama.cpp libraries for this platform (`@node-llama-cpp/<platform>/bins/
 * <platform>`), found from its package folder without importing it; undefined when that package is not installed.
 */
export function nodeLlamaCppBins(nodeLlamaCppDir: string): string | undefined {
    const platform = `${process.platform}-${process.arch}`;
    for (let dir = nodeLlamaCppDir; ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', '@node-llama-cpp', platform, 'bins', platform);
        if (existsSync(candidate)) return candidate;
        if (dirname(dir) === dir) return undefined;
    }
}
