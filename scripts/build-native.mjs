// Builds the native addon, "llama extras" (src/runtime/native/*.cc: what Promptscope needs from llama.cpp that node-llama-cpp
// does not expose: attention capture, the token-statistics pass with its sampler, the native generation loop, the
// context hook), into build/native/llamaExtras.node. Run by the root package's `postinstall` and, when the addon is
// missing or older than its sources, by `npm test` (scripts/test.mjs).
//
// Offline: headers come from the exact llama.cpp tag node-llama-cpp ships (node_modules/node-llama-cpp/llama/
// gitRelease.bundle, cloned into .cache/llama.cpp-<tag>/); it links against node-llama-cpp's own prebuilt libraries
// (@node-llama-cpp/<platform>/bins/<platform>/libllama.v*.so, libggml.v*.so, libggml-base.so), found at run time
// through an $ORIGIN-relative rpath, so the process loads each library once. node-gyp is node_modules' or npm's own.
//
// When it cannot build (no compiler, unsupported platform, …) it prints one line, writes the reason to
// build/native/llamaExtras.unavailable.txt (the runtime reports it) and exits 0: install must still succeed.
// `--if-missing`: do nothing when the addon is already built and newer than its sources and this script. `--strict`: exit 1
// on failure. Either way the files of the addon's former name (build/native/attention.node, attention.unavailable.txt)
// are removed, so no copy built from older sources is left beside the current one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outDir = join(root, 'build', 'native');
const addonName = 'llamaExtras';
const outFile = join(outDir, `${addonName}.node`);
const reasonFile = join(outDir, `${addonName}.unavailable.txt`);
const formerFiles = ['attention.node', 'attention.unavailable.txt'].map(file => join(outDir, file));
const sourceDir = join(root, 'src', 'runtime', 'native');
const sources = readdirSync(sourceDir).filter(f => f.endsWith('.cc')).map(f => join(sourceDir, f));
const newestInput = Math.max(statSync(fileURLToPath(import.meta.url)).mtimeMs,
    ...readdirSync(sourceDir).map(f => statSync(join(sourceDir, f)).mtimeMs));
const require = createRequire(join(root, 'package.json'));

for (const file of formerFiles) rmSync(file, { force: true });
if (args.includes('--if-missing') && existsSync(outFile) && statSync(outFile).mtimeMs >= newestInput) process.exit(0);

function unavailable(reason) {
    mkdirSync(outDir, { recursive: true });
    rmSync(outFile, { force: true });
    writeFileSync(reasonFile, reason + '\n');
    console.log(`[build-native] the native addon is unavailable: ${reason}`);
    process.exit(args.includes('--strict') ? 1 : 0);
}

/** The folder of package `name` as Node resolves it from `from` (its package.json may not be exported). */
function packageFolder(name, from) {
    for (let dir = from; ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) return candidate;
        if (dirname(dir) === dir) return undefined;
    }
}

function run(cmd, cmdArgs, cwd) {
    const r = spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', env: { ...process.env, JOBS: '2' } });
    return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const started = performance.now();
if (process.platform !== 'linux') unavailable(`building the addon on ${process.platform} is not supported yet (Linux only)`);

const cxx = process.env.CXX || 'g++';
if (!run(cxx, ['--version']).ok) unavailable(`no C++ compiler (${cxx}) found: install g++ (e.g. apt-get install g++ make python3) and run npm run build:native`);

const platformPackage = `@node-llama-cpp/${process.platform}-${process.arch}`;
const llamaDir = packageFolder('node-llama-cpp', root);
if (!llamaDir) unavailable('node-llama-cpp is not installed: run npm install');
const packageDir = packageFolder(platformPackage, llamaDir) ?? packageFolder(platformPackage, root);
if (!packageDir) unavailable(`${platformPackage} is not installed: run npm install`);
const bins = join(packageDir, 'bins', `${process.platform}-${process.arch}`);
const libs = existsSync(bins) ? readdirSync(bins) : [];
const libllama = libs.find(f => /^libllama\.v[\d.]+\.so$/.test(f)) ?? libs.find(f => f === 'libllama.so');
const libggml = libs.find(f => /^libggml\.v[\d.]+\.so$/.test(f)) ?? libs.find(f => f === 'libggml.so');
const libggmlBase = libs.find(f => f === 'libggml-base.so');
if (!libllama || !libggml || !libggmlBase) unavailable(`llama.cpp libraries not found in ${bins}`);

const bundle = join(llamaDir, 'llama', 'gitRelease.bundle');
const info = JSON.parse(readFileSync(join(llamaDir, 'llama', 'llama.cpp.info.json'), 'utf8'));
const headers = join(root, '.cache', `llama.cpp-${info.tag}`);
if (!existsSync(join(headers, 'include', 'llama.h'))) {
    if (!existsSync(bundle)) unavailable(`${bundle} is missing: reinstall node-llama-cpp`);
    rmSync(headers, { recursive: true, force: true });
    const clone = run('git', ['clone', '--quiet', '--depth', '1', bundle, headers], root);
    if (!clone.ok) unavailable(`could not clone llama.cpp headers from ${bundle}: ${clone.output.trim().split('\n').pop()}`);
}

let nodeGyp;
for (const candidate of [
    () => require.resolve('node-gyp/bin/node-gyp.js'),
    () => process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    () => join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
]) {
    try {
        const path = candidate();
        if (path && existsSync(path)) { nodeGyp = path; break; }
    } catch { /* next */ }
}
if (!nodeGyp) unavailable('node-gyp not found (neither in node_modules nor bundled with npm): npm install --save-dev node-gyp');

// Node's own headers, when they are installed beside this node (no download).
const nodeDirArgs = [];
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) nodeDirArgs.push(`--nodedir=${prefix}`);

const work = join(root, '.cache', `native-${addonName}`);
mkdirSync(work, { recursive: true });
const rpath = relative(outDir, bins);
const gyp = {
    targets: [{
        target_name: addonName,
        sources: sources.map(file => relative(work, file)),
        include_dirs: [join(headers, 'include'), join(headers, 'ggml', 'include')],
        cflags_cc: ['-std=c++17', '-O2', '-fexceptions'],
        'cflags_cc!': ['-fno-exceptions'],
        libraries: [`-L${bins}`, `-l:${libllama}`, `-l:${libggml}`, `-l:${libggmlBase}`],
        ldflags: [`-Wl,-rpath,'$$ORIGIN/${rpath}'`, `-Wl,-rpath,${bins}`],
    }],
};
writeFileSync(join(work, 'binding.gyp'), JSON.stringify(gyp, null, 2));
const built = run(process.execPath, [nodeGyp, 'rebuild', '--jobs=2', '--loglevel=warn', ...nodeDirArgs], work);
const product = join(work, 'build', 'Release', `${addonName}.node`);
if (!built.ok || !existsSync(product)) {
    const lines = built.output.trim().split('\n').filter(l => /error:|\*\*\*/.test(l));
    unavailable(`node-gyp failed: ${(lines[0] ?? built.output.trim().split('\n').pop() ?? '').trim()} (full log: cd ${relative(root, work)} && node ${nodeGyp} rebuild)`);
}
mkdirSync(outDir, { recursive: true });
// A new file renamed over the old one, never the old one overwritten: a runtime host that has the addon loaded (an
// editor window, a running training) keeps its mapped copy instead of crashing on a truncated file.
const staged = `${outFile}.${process.pid}.tmp`;
copyFileSync(product, staged);
renameSync(staged, outFile);
rmSync(reasonFile, { force: true });
console.log(`[build-native] ${relative(root, outFile)} built in ${((performance.now() - started) / 1000).toFixed(1)} s (llama.cpp ${info.tag})`);
