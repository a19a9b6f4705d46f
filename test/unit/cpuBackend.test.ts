// The optimized runtime's pure parts: which ggml features a CPU gets, the cmake options of its CPU backend build, the
// cache layout, and the runtime's choice between that build and node-llama-cpp's prebuilt CPU variant (with the real
// registration replaced; test/cli/build-runtime.test.ts loads the real thing in the runtime host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backgroundBuildDecision } from '../../src/runtime/build/backgroundBuildDecision';
import { cpuBackendCmakeOptions, llamaCppTag } from '../../src/runtime/build/buildRuntime';
import { missingBuildTools } from '../../src/runtime/build/buildTools';
import { nodeLlamaCppFolder } from '../../src/runtime/build/nodeLlamaCppFolder';
import { optimizedRuntimeStatus } from '../../src/runtime/build/optimizedRuntimeStatus';
import { cpuBackendCacheRoot, cpuBackendFolder, cpuBackendLibraryName, findCachedCpuBackend, nativeBuildRevision } from '../../src/runtime/build/cpuBackendCache';
import { checkAmxToolchain } from '../../src/runtime/build/amxToolchainCheck';
import { cpuTargetFrom, currentCpuTarget, hasAmx, parseCpuInfo, withoutAmx } from '../../src/runtime/build/cpuTarget';
import { spawnSync } from 'node:child_process';
import { chooseCpuBackend } from '../../src/runtime/host/engine/cpuBackendChoice';

const zen4Flags = 'fpu sse sse2 sse4_1 sse4_2 avx f16c fma avx2 bmi1 bmi2 avx512f avx512dq avx512cd avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16 avx_vnni'.split(' ');

test('parseCpuInfo reads the first processor\'s model name and flags', () => {
    const text = 'processor\t: 0\nmodel name\t: AMD EPYC 9454\nflags\t\t: fpu sse avx2\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 9454\nflags\t\t: fpu sse avx2\n';
    assert.deepEqual(parseCpuInfo(text), { model: 'AMD EPYC 9454', flags: ['fpu', 'sse', 'avx2'] });
    assert.deepEqual(parseCpuInfo(''), { model: '', flags: [] });
});

test('a CPU gets exactly the ggml features all of whose flags it has', () => {
    assert.deepEqual(cpuTargetFrom('zen', zen4Flags).ggmlFeatures, [
        'GGML_SSE42', 'GGML_AVX', 'GGML_F16C', 'GGML_FMA', 'GGML_AVX2', 'GGML_BMI2', 'GGML_AVX_VNNI',
        'GGML_AVX512', 'GGML_AVX512_VBMI', 'GGML_AVX512_VNNI', 'GGML_AVX512_BF16',
    ]);
    // AVX512 needs all five of F, CD, VL, DQ and BW (ggml compiles with all five)
    const noBw = cpuTargetFrom('x', zen4Flags.filter(flag => flag !== 'avx512bw')).ggmlFeatures;
    assert.ok(!noBw.includes('GGML_AVX512'));
    assert.ok(noBw.includes('GGML_AVX512_VNNI'));
    assert.deepEqual(cpuTargetFrom('old', ['fpu', 'sse', 'sse2']).ggmlFeatures, []);
});

test('the fingerprint tells CPUs apart by model and flags, not by flag order', () => {
    const a = cpuTargetFrom('AMD EPYC', zen4Flags);
    assert.equal(a.fingerprint, cpuTargetFrom('AMD EPYC', [...zen4Flags].reverse()).fingerprint);
    assert.notEqual(a.fingerprint, cpuTargetFrom('AMD EPYC 2', zen4Flags).fingerprint);
    assert.notEqual(a.fingerprint, cpuTargetFrom('AMD EPYC', zen4Flags.slice(1)).fingerprint);
    assert.match(a.fingerprint, /^[0-9a-f]{12}$/);
});

test('the build has the reference build\'s options, as a backend loaded at run time bound to the prebuilt ggml-base', () => {
    const options = cpuBackendCmakeOptions(cpuTargetFrom('zen', zen4Flags));
    for (const expected of ['CMAKE_BUILD_TYPE=Release', 'CMAKE_C_FLAGS=-march=native', 'CMAKE_CXX_FLAGS=-march=native', 'GGML_OPENMP=ON',
        'GGML_LLAMAFILE=ON', 'GGML_BACKEND_DL=ON', 'GGML_NATIVE=OFF', 'GGML_AVX512=ON', 'GGML_AVX512_BF16=ON',
        'CMAKE_PLATFORM_NO_VERSIONED_SONAME=ON', 'CMAKE_SKIP_BUILD_RPATH=ON']) {
        assert.ok(options.includes(expected), `${expected} in ${options.join(' ')}`);
    }
    assert.ok(!options.some(option => option.startsWith('GGML_AMX')));
});

const sapphireRapidsFlags = [...zen4Flags, 'amx_tile', 'amx_int8', 'amx_bf16'];

test('a CPU with AMX built without it: no GGML_AMX option and -mno-amx-* after -march=native', () => {
    const target = cpuTargetFrom('Intel(R) Xeon(R) Processor', sapphireRapidsFlags);
    assert.ok(hasAmx(target));
    assert.ok(cpuBackendCmakeOptions(target).includes('GGML_AMX_INT8=ON'));
    const built = withoutAmx(target, 'the compiler drops the stores');
    assert.equal(hasAmx(built), false);
    assert.equal(built.fingerprint, target.fingerprint, 'the same CPU: its build is found by the runtime without a compiler check');
    const options = cpuBackendCmakeOptions(built);
    assert.ok(!options.some(option => option.startsWith('GGML_AMX')));
    assert.ok(options.includes('GGML_AVX512_VNNI=ON'));
    assert.ok(options.includes('CMAKE_CXX_FLAGS=-march=native -mno-amx-tile -mno-amx-int8 -mno-amx-bf16'), options.join(' '));
    assert.ok(options.includes('CMAKE_C_FLAGS=-march=native -mno-amx-tile -mno-amx-int8 -mno-amx-bf16'));
});

const here = currentCpuTarget();
const amxHere = !('unsupported' in here) && hasAmx(here);
const compilerVersion = spawnSync('c++', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
test('the AMX toolchain check: GCC 12 drops the tile configuration\'s stores (ggml\'s AMX kernels would fault), so AMX is left out', {
    skip: amxHere ? false : 'this CPU has no AMX: the check runs AMX instructions, so it is only made on CPUs that have them',
}, () => {
    const verdict = checkAmxToolchain();
    if (/^(g\+\+|c\+\+) .*\) 12\./.test(compilerVersion)) {
        assert.equal(verdict.usable, false, compilerVersion);
        assert.match((verdict as { reason: string }).reason, /drops the stores to an AMX tile configuration/);
    } else {
        // A compiler without the bug passes; one that fails must say why in words a user can act on.
        assert.ok(verdict.usable || /AMX/.test(verdict.reason), JSON.stringify(verdict));
    }
    assert.equal(checkAmxToolchain('no-such-compiler-promptscope').usable, false);
});

test('the cache: one folder per tag and CPU; a folder without its build record is not a build', () => {
    assert.equal(cpuBackendCacheRoot({ PROMPTSCOPE_CPU_BACKEND_CACHE: '/x/y' }), '/x/y');
    assert.match(cpuBackendCacheRoot({}), /\.cache[\\/]promptscope[\\/]cpu-backend$/);
    const root = mkdtempSync(join(tmpdir(), 'promptscope-cpu-cache-'));
    const target = cpuTargetFrom('zen', zen4Flags);
    const folder = cpuBackendFolder(root, 'v0.5.0', target);
    assert.equal(folder, join(root, `v0.5.0-${target.fingerprint}-r${nativeBuildRevision}`));
    assert.equal(findCachedCpuBackend(root, 'v0.5.0', target), undefined);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, cpuBackendLibraryName), 'not really a library');
    assert.equal(findCachedCpuBackend(root, 'v0.5.0', target), undefined);
    writeFileSync(join(folder, 'build.json'), JSON.stringify({ llamaCppTag: 'v0.5.0', cpuModel: 'zen' }));
    assert.equal(findCachedCpuBackend(root, 'v0.5.0', target)?.library, join(folder, cpuBackendLibraryName));
    assert.equal(findCachedCpuBackend(root, 'v0.6.0', target), undefined);
    assert.equal(findCachedCpuBackend(root, 'v0.5.0', cpuTargetFrom('other', zen4Flags)), undefined);
});

const found = () => ({ library: '/cache/libggml-cpu-native.so', builtWith: 'built for zen' });
const noGpu = async () => [false] as const;
const mustNotRegister = (): string | undefined => assert.fail('registered although the prebuilt backend was chosen');

test('the prebuilt CPU variant is kept, with the reason, when asked, with a GPU, without a build, or when ggml refuses it', async () => {
    const cases: [Parameters<typeof chooseCpuBackend>, RegExp][] = [
        [['off', { env: { PROMPTSCOPE_RUNTIME_BINARY: 'prebuilt' }, findLibrary: found, register: mustNotRegister }], /PROMPTSCOPE_RUNTIME_BINARY=prebuilt/],
        [['vulkan', { env: {}, findLibrary: found, register: mustNotRegister }], /promptscope\.gpu is "vulkan"/],
        [['auto', { env: {}, supportedGpuTypes: async () => ['cuda', false], findLibrary: found, register: mustNotRegister }], /GPU backend \(cuda\) may be used/],
        [['auto', { env: {}, supportedGpuTypes: noGpu, findLibrary: () => ({ missing: 'no CPU backend has been built for this CPU' }), register: mustNotRegister }], /no CPU backend has been built/],
        [['off', { env: {}, findLibrary: found, register: () => 'ggml could not load it' }], /\/cache\/libggml-cpu-native\.so was not loaded: ggml could not load it/],
    ];
    for (const [args, reason] of cases) {
        const choice = await chooseCpuBackend(...args);
        assert.equal(choice.runtimeBinary, 'prebuilt');
        assert.match(choice.reason, reason);
    }
});

// Last in this file: a registered backend stays the process's choice (ggml's registry keeps it), as it should.
test('the optimized backend is registered when it exists and nothing speaks against it, then stays the choice', async () => {
    const registered: string[] = [];
    const choice = await chooseCpuBackend('auto', { env: {}, supportedGpuTypes: noGpu, findLibrary: found, register: library => { registered.push(library); return undefined; } });
    assert.deepEqual(choice, { runtimeBinary: 'optimized', library: '/cache/libggml-cpu-native.so', reason: 'built for zen' });
    assert.deepEqual(registered, ['/cache/libggml-cpu-native.so']);
    assert.equal((await chooseCpuBackend('off', { env: {}, register: mustNotRegister })).runtimeBinary, 'optimized');
});

test('a background build starts only for a CPU model on the prebuilt binary, where it can be built, once, unless turned off', () => {
    const buildable = { kind: 'buildable', why: 'not built yet' } as const;
    const prebuiltCpu = { backend: 'cpu', runtimeBinary: 'prebuilt' } as const;
    const decide = (facts: Partial<Parameters<typeof backgroundBuildDecision>[0]>) =>
        backgroundBuildDecision({ setting: 'auto', model: prebuiltCpu, status: buildable, attempted: false, ...facts });
    assert.deepEqual(decide({}), { build: true, why: 'not built yet' });
    assert.match(decide({ setting: 'off' }).why, /buildOptimized is "off"/);
    assert.equal(decide({ model: { backend: 'vulkan', runtimeBinary: 'prebuilt' } }).build, false);
    assert.equal(decide({ model: { backend: 'cpu', runtimeBinary: 'optimized' } }).build, false);
    assert.match(decide({ status: { kind: 'built', library: '/cache/libggml-cpu-native.so' } }).why, /uses it from its next start/);
    assert.deepEqual(decide({ status: { kind: 'unavailable', why: 'cmake not found' } }), { build: false, why: 'cmake not found' });
    assert.match(decide({ attempted: true }).why, /already ran/);
});

test('the status of the optimized runtime: built when its cache has the library, buildable when it has not and tools are here', () => {
    const target = currentCpuTarget();
    if ('unsupported' in target) {
        assert.equal(optimizedRuntimeStatus().kind, 'unavailable');
        return;
    }
    const empty = mkdtempSync(join(tmpdir(), 'promptscope-cpu-cache-'));
    const noTools = optimizedRuntimeStatus({ env: { PROMPTSCOPE_CPU_BACKEND_CACHE: empty, PATH: empty } });
    assert.equal(noTools.kind, 'unavailable');
    assert.match(noTools.why, /cmake/);
    if (missingBuildTools().length === 0) {
        const status = optimizedRuntimeStatus({ env: { ...process.env, PROMPTSCOPE_CPU_BACKEND_CACHE: empty } });
        assert.equal(status.kind, 'buildable');
        assert.ok(status.why.includes(empty), status.why);
    }
    // A finished build (its library and record) in the cache folder for this CPU and tag.
    const folder = cpuBackendFolder(empty, llamaCppTag(nodeLlamaCppFolder()!), target);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, cpuBackendLibraryName), '');
    writeFileSync(join(folder, 'build.json'), '{}');
    assert.deepEqual(optimizedRuntimeStatus({ env: { PROMPTSCOPE_CPU_BACKEND_CACHE: empty, PATH: empty } }), { kind: 'built', library: join(folder, cpuBackendLibraryName) });
});
