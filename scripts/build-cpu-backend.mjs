// The install-time step of the optimized runtime: builds ggml's CPU backend for this CPU (src/runtime/build/
// buildRuntime.ts: libggml-cpu from node-llama-cpp's bundled llama.cpp source, -march=native, OpenMP, llamafile; about
// 1.5 minutes on 2 cores) into ~/.cache/promptscope/cpu-backend/, which the runtime then registers in place of
// node-llama-cpp's prebuilt CPU variant (about 2× its prompt processing on an F16 model). Run by the root package's
// `postinstall` after scripts/build-native.mjs; a build already cached for this CPU and llama.cpp tag is reused
// (a second clone, a reinstall) in milliseconds.
//
// Never fails the install: without cmake or a compiler, on another platform than Linux x64, or when the build fails,
// it prints why in one line (the runtime logs the same reason and uses the prebuilt binaries) and exits 0.
// PROMPTSCOPE_SKIP_CPU_BACKEND=1 skips it. Run with `node --import tsx` (it imports the TypeScript build module).
import { buildOptimizedRuntime } from '../src/runtime/build/buildRuntime.ts';

if (process.env.PROMPTSCOPE_SKIP_CPU_BACKEND === '1') {
    console.log('[build-cpu-backend] skipped (PROMPTSCOPE_SKIP_CPU_BACKEND=1): the runtime uses node-llama-cpp\'s prebuilt CPU backend');
    process.exit(0);
}
const result = await buildOptimizedRuntime({
    onLine: line => {
        // compiler lines ("[12/28] Building …") and phases; warnings of the compilers are left out
        if (!/warning|note:|^\s|^In file|\^/.test(line)) console.log(`[build-cpu-backend] ${line}`);
    },
});
console.log(`[build-cpu-backend] ${result.message}`);
