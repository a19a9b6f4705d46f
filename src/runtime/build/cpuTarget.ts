import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * The CPU a native CPU backend is built for: its instruction sets as the kernel reports them, turned into ggml's
 * cmake feature options. Built with `-march=native` AND those options: `-march=native` makes the code (what the
 * reference llama-bench build gets from GGML_NATIVE), the options make ggml's `ggml_backend_score` check at load time
 * that the CPU has every one of them (ggml refuses the library otherwise), since GGML_NATIVE itself cannot be combined
 * with a runtime-loaded backend (GGML_BACKEND_DL).
 */
export interface CpuTarget {
    /** CPU model name, e.g. `AMD EPYC 9454`. */
    model: string;
    /** ggml cmake options (`GGML_AVX512` …) set ON for this CPU, in ggml's order. */
    ggmlFeatures: string[];
    /** Short hash of the model name and every CPU flag: builds for another CPU are never reused. */
    fingerprint: string;
    /** Compiler flags for the code (`CMAKE_C_FLAGS`, `CMAKE_CXX_FLAGS`). Defaults to `-march=native` alone. */
    codeFlags?: string[];
    /** Why AMX was left out of a CPU that has it ({@link withoutAmx}). */
    amxLeftOut?: string;
}

/** The compiler flags of `target`'s code. */
export function codeFlagsOf(target: CpuTarget): string[] {
    return target.codeFlags ?? ['-march=native'];
}

/** Whether `target` would be built with ggml's AMX kernels. */
export function hasAmx(target: CpuTarget): boolean {
    return target.ggmlFeatures.some(feature => feature.startsWith('GGML_AMX'));
}

/**
 * `target` built without AMX, for a toolchain that cannot compile ggml's AMX code right (amxToolchainCheck.ts): no
 * GGML_AMX_* option, and `-mno-amx-*` after `-march=native` so that ggml's `__AMX_INT8__` code is not compiled either.
 */
export function withoutAmx(target: CpuTarget, reason: string): CpuTarget {
    return {
        ...target,
        ggmlFeatures: target.ggmlFeatures.filter(feature => !feature.startsWith('GGML_AMX')),
        codeFlags: [...codeFlagsOf(target), '-mno-amx-tile', '-mno-amx-int8', '-mno-amx-bf16'],
        amxLeftOut: reason,
    };
}

/** ggml's x86 feature options and the /proc/cpuinfo flags each needs (all of them). */
const x86Features: readonly [option: string, flags: readonly string[]][] = [
    ['GGML_SSE42', ['sse4_2']],
    ['GGML_AVX', ['avx']],
    ['GGML_F16C', ['f16c']],
    ['GGML_FMA', ['fma']],
    ['GGML_AVX2', ['avx2']],
    ['GGML_BMI2', ['bmi2']],
    ['GGML_AVX_VNNI', ['avx_vnni']],
    ['GGML_AVX512', ['avx512f', 'avx512cd', 'avx512vl', 'avx512dq', 'avx512bw']],
    ['GGML_AVX512_VBMI', ['avx512vbmi']],
    ['GGML_AVX512_VNNI', ['avx512_vnni']],
    ['GGML_AVX512_BF16', ['avx512_bf16']],
    ['GGML_AMX_TILE', ['amx_tile']],
    ['GGML_AMX_INT8', ['amx_int8']],
    ['GGML_AMX_BF16', ['amx_bf16']],
];

/** Parses `/proc/cpuinfo` text: the first processor's model name and flags. */
export function parseCpuInfo(text: string): { model: string; flags: string[] } {
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return { model: field('model name'), flags: field('flags').split(/\s+/).filter(flag => flag !== '') };
}

/** The target for a CPU described by its model name and flags (see {@link parseCpuInfo}). */
export function cpuTargetFrom(model: string, flags: readonly string[]): CpuTarget {
    const have = new Set(flags);
    const ggmlFeatures = x86Features.filter(([, needs]) => needs.every(flag => have.has(flag))).map(([option]) => option);
    const fingerprint = createHash('sha256').update(`${model}\n${[...have].sort().join(' ')}`).digest('hex').slice(0, 12);
    return { model, ggmlFeatures, fingerprint };
}

/**
 * This machine's target, or why a native CPU backend is not built here: Linux x64 only for now (the addon that
 * registers it is Linux-only; other platforms keep node-llama-cpp's prebuilt CPU variants).
 */
export function currentCpuTarget(platform: NodeJS.Platform = process.platform, arch: string = process.arch): CpuTarget | { unsupported: string } {
    if (platform !== 'linux' || arch !== 'x64') {
        return { unsupported: `a CPU backend for this CPU is built on Linux x64 only (this is ${platform}-${arch}); node-llama-cpp's prebuilt CPU variants are used` };
    }
    let text: string;
    try {
        text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch (error) {
        return { unsupported: `cannot read /proc/cpuinfo (${(error as Error).message}); node-llama-cpp's prebuilt CPU variants are used` };
    }
    const { model, flags } = parseCpuInfo(text);
    if (flags.length === 0) return { unsupported: '/proc/cpuinfo lists no CPU flags; node-llama-cpp\'s prebuilt CPU variants are used' };
    return cpuTargetFrom(model || (cpus()[0]?.model ?? 'unknown CPU'), flags);
}
