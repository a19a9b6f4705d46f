// llama.cpp's own programs, built once from the source node-llama-cpp ships (src/cli/bench/ReferenceBuild: cached in
// ~/.cache/promptscope/reference, minutes on the first use of a fresh machine, seconds for each tool added later), for
// tests that check a result of ours against llama.cpp's.
import { join } from 'node:path';
import { ReferenceBuild, type ReferenceTool } from '../../src/cli/bench/ReferenceBuild';
import { nodeLlamaCppFolder } from '../../src/runtime/build/nodeLlamaCppFolder';

const pending = new Map<ReferenceTool, Promise<string>>();

/** The binary of `tool`, built on first use. */
export function referenceTool(tool: ReferenceTool): Promise<string> {
    let built = pending.get(tool);
    if (!built) {
        const nodeLlamaCppDir = nodeLlamaCppFolder(join(__dirname, '..', '..'));
        if (!nodeLlamaCppDir) throw new Error('node-llama-cpp is not installed: run npm ci');
        built = ReferenceBuild.build({ nodeLlamaCppDir, onLine: line => process.stderr.write(`[reference ${tool}] ${line}\n`) }, tool);
        pending.set(tool, built);
    }
    return built;
}
