import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { ReferenceBuild, type ReferenceBuildOptions } from '../bench/ReferenceBuild';
import { runProcess } from '../bench/runProcess';

/**
 * The environment variable that turns the patched attention on inside a process that loaded the training library.
 */
export const trainAttentionVariable = 'PROMPTSCOPE_TRAIN_ATTENTION';

/** The function of llama-graph.cpp the patch changes, and the lines it changes there. */
const functionStart = 'ggml_tensor * llm_graph_context::build_attn(\n        llm_graph_input_attn_kv * inp,';
const cacheReads = '    ggml_tensor * k = mctx_cur->get_k(ctx0, il);\n    ggml_tensor * v = mctx_cur->get_v(ctx0, il);\n';
const patchedReads = `${cacheReads}    // Promptscope's training library: when the KV cache holds exactly this ubatch (a training window, cache cleared),
    // attend to the ubatch's own K and V instead of the cache's copy, so that the backward pass reaches attn_k and
    // attn_v (the cache write, set_rows, has no gradient). The same values, in the same order.
    if (promptscope_train_attention() && k->ne[2] == k_cur->ne[2] && k->ne[3] == 1 && v->ne[3] == 1) {
        k = k_cur;
        v = v_cur;
    }
`;
const helper = `
// Set by Promptscope's training processes only (see above); read once.
static bool promptscope_train_attention() {
    static const bool on = std::getenv("${trainAttentionVariable}") != nullptr;
    return on;
}
`;

/**
 * llama.cpp's libllama from the source node-llama-cpp ships with one change for training: in the training graph the
 * attention reads the ubatch's own K and V, so llama_opt_epoch trains attn_k and attn_v (unpatched, their weights only
 * decay: measured on the trained arithmetic fixture). Built from the reference build's objects (src/cli/bench/
 * ReferenceBuild: every other file as compiled there, llama-graph.cpp patched and compiled again) and linked against
 * node-llama-cpp's own ggml libraries under node-llama-cpp's soname, so a process started with its folder first in
 * LD_LIBRARY_PATH (and {@link trainAttentionVariable} set) loads it in place of node-llama-cpp's libllama, for node-llama-cpp
 * and the native addon alike. Cached in `~/.cache/promptscope/training/<tag>-<cpu>/`.
 */
export class TrainingLibrary {
    /** The folder holding the patched libllama, building it when missing or made from another patch. */
    static async build(options: ReferenceBuildOptions & { bins: string }): Promise<string> {
        const say = options.onLine ?? (() => {});
        const tag = ReferenceBuild.llamaCppTag(options.nodeLlamaCppDir);
        // Beside the reference build it takes its objects from: the same tag and CPU (those objects are native code).
        const folder = join(options.cacheDir ?? join(homedir(), '.cache', 'promptscope', 'training'), basename(ReferenceBuild.tagFolder(options)));
        const soname = readdirSync(options.bins).find(f => /^libllama\.v[\d.]+\.so$/.test(f)) ?? 'libllama.so';
        const library = join(folder, soname);
        const stampFile = join(folder, 'patch.sha256');
        const stamp = createHash('sha256').update(patchedReads + helper + soname).digest('hex');
        if (existsSync(library) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return folder;

        // Any tool's build compiles libllama's objects; llama-quantize is one the tests build anyway.
        await ReferenceBuild.build(options, 'llama-quantize');
        const tagFolder = ReferenceBuild.tagFolder(options);
        const objects = join(tagFolder, 'build', 'src', 'CMakeFiles', 'llama.dir');
        const flags = readFileSync(join(objects, 'flags.make'), 'utf8');
        const flag = (name: string) => (new RegExp(`^${name} = (.*)$`, 'm').exec(flags)?.[1] ?? '').split(' ').filter(Boolean);

        const source = readFileSync(join(tagFolder, 'src', 'src', 'llama-graph.cpp'), 'utf8');
        const start = source.indexOf(functionStart);
        const at = start < 0 ? -1 : source.indexOf(cacheReads, start);
        if (at < 0) throw new Error(`the training patch no longer fits llama-graph.cpp of llama.cpp ${tag}: update src/cli/training/TrainingLibrary.ts`);
        const patched = (source.slice(0, at) + patchedReads + source.slice(at + cacheReads.length)).replace('#include <cstring>', '#include <cstdlib>\n#include <cstring>');
        const firstFunction = patched.indexOf('\nstatic ');
        mkdirSync(folder, { recursive: true });
        const patchedFile = join(folder, 'llama-graph.cpp');
        writeFileSync(patchedFile, patched.slice(0, firstFunction) + helper + patched.slice(firstFunction));

        say(`compiling the patched llama-graph.cpp for training (llama.cpp ${tag})`);
        const patchedObject = join(folder, 'llama-graph.o');
        await runProcess('c++', [...flag('CXX_DEFINES'), ...flag('CXX_INCLUDES'), ...flag('CXX_FLAGS'), '-c', patchedFile, '-o', patchedObject], folder);
        const inputs = [
            ...readdirSync(objects).filter(f => f.endsWith('.o') && f !== 'llama-graph.cpp.o').map(f => join(objects, f)),
            ...readdirSync(join(objects, 'Unity')).filter(f => f.endsWith('.o')).map(f => join(objects, 'Unity', f)),
            patchedObject,
        ];
        const ggml = readdirSync(options.bins).find(f => /^libggml\.v[\d.]+\.so$/.test(f)) ?? 'libggml.so';
        say(`linking ${soname} against node-llama-cpp's ${ggml} and libggml-base.so`);
        const partial = `${library}.partial`;
        await runProcess('c++', ['-shared', '-fPIC', '-O3', `-Wl,-soname,${soname}`, '-o', partial, ...inputs, `-L${options.bins}`,
            `-l:${ggml}`, '-l:libggml-base.so', `-Wl,-rpath,${options.bins}`], folder);
        renameSync(partial, library);
        writeFileSync(stampFile, stamp);
        say(`training library ready: ${library}`);
        return folder;
    }

    /** The environment a training runtime is started with: the patched libllama first, the patched attention on. */
    static environment(folder: string): NodeJS.ProcessEnv {
        const paths = [folder, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
        return { LD_LIBRARY_PATH: paths, [trainAttentionVariable]: '1' };
    }
}

