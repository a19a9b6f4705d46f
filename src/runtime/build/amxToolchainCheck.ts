import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * ggml's AMX tile set-up (ggml-cpu/amx/mmq.cpp, `ggml_tile_config_init`) in miniature: a local configuration with
 * default member initialisers, filled field by field, loaded with `_tile_loadconfig`, then read back with
 * `_tile_storeconfig`. Exit 0: the configuration arrived; 3: it did not (the compiler dropped the stores); 2: the
 * kernel refused AMX to this process.
 */
const probeSource = `#include <cstdint>
#include <cstdio>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
struct tile_config_t { uint8_t palette_id = 0; uint8_t start_row = 0; uint8_t reserved_0[14] = {0}; uint16_t colsb[16] = {0}; uint8_t rows[16] = {0}; };
__attribute__((noinline)) static void load_config() {
    alignas(64) tile_config_t tc = {};
    tc.palette_id = 1;
    for (int i = 0; i < 8; ++i) { tc.rows[i] = 16; tc.colsb[i] = 64; }
    _tile_loadconfig(&tc);
}
int main() {
    if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */) != 0) return 2;
    load_config();
    alignas(64) tile_config_t back;
    _tile_storeconfig(&back);
    for (int i = 0; i < 8; ++i) if (back.rows[i] != 16 || back.colsb[i] != 64) return 3;
    _tile_release();
    return 0;
}
`;

/** Whether ggml's AMX kernels can be compiled for this CPU with this compiler, and if not, why. */
export type AmxToolchainVerdict = { usable: true } | { usable: false; reason: string };

/**
 * Compiles and runs {@link probeSource} with `compiler` at ggml's Release level and `-march=native` (call it only on a
 * CPU with AMX: elsewhere the probe's tile instructions are illegal). Needed because GCC 12 (Debian 12's `c++`)
 * removes the stores to a configuration whose only reader is `ldtilecfg`, so ggml loads an all-zero configuration and
 * its first tile instruction faults: SIGILL with one thread, SIGSEGV with more, in every quantized matrix product, in
 * llama.cpp's own tools as in our CPU backend (measured on a Sapphire Rapids machine, 2026-12-06). Builds for such a
 * toolchain leave AMX out ({@link withoutAmx} in cpuTarget.ts); AVX-512 VNNI then does those products.
 */
export function checkAmxToolchain(compiler = 'c++', env: NodeJS.ProcessEnv = process.env): AmxToolchainVerdict {
    const folder = mkdtempSync(join(tmpdir(), 'promptscope-amx-check-'));
    try {
        const source = join(folder, 'amx-check.cpp');
        const binary = join(folder, 'amx-check');
        writeFileSync(source, probeSource);
        const compile = spawnSync(compiler, ['-O3', '-march=native', source, '-o', binary], { encoding: 'utf8', env });
        if (compile.status !== 0) {
            const why = compile.error?.message ?? (compile.stderr ?? '').split('\n').find(line => /error/.test(line)) ?? `exit ${String(compile.status)}`;
            return { usable: false, reason: `${compiler} cannot compile AMX code with -march=native (${why.trim()})` };
        }
        const run = spawnSync(binary, [], { encoding: 'utf8', timeout: 10_000 });
        if (run.status === 0) return { usable: true };
        if (run.status === 3) {
            return { usable: false, reason: `${compiler} drops the stores to an AMX tile configuration before ldtilecfg (a GCC 12 optimisation bug), so ggml's AMX kernels would fault` };
        }
        if (run.status === 2) return { usable: false, reason: 'the kernel does not grant this process AMX tile data (arch_prctl ARCH_REQ_XCOMP_PERM)' };
        return { usable: false, reason: `an AMX test program compiled by ${compiler} ${run.signal ? `was killed by ${run.signal}` : `exited ${String(run.status)}`}` };
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
}
