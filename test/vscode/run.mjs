// `npm run test:vscode [-- --code-server | --electron]`: the conventional integration suite (mocha,
// test/vscode/*.test.ts) of activation and commands, run in
//   1. a downloaded VS Code through @vscode/test-cli + @vscode/test-electron (.vscode-test.mjs), when
//      VS Code can be downloaded — otherwise this says so plainly and does NOT count it as a pass;
//   2. code-server's extension host (same tests, same @vscode/test-cli runner), with the offline toolchain
//      of the e2e suite (scripts/e2e-setup.mjs).
// Exits non-zero only when a suite that actually ran failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ensureToolchain } from '../../scripts/e2e-setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const only = process.argv.includes('--code-server') ? 'code-server' : process.argv.includes('--electron') ? 'electron' : undefined;

function run(cmd, args, options = {}) {
    return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options }).status ?? 1;
}

/** Why VS Code cannot be downloaded, or undefined when it can (or a previous download is cached). */
async function cannotDownloadVSCode() {
    const cached = join(root, '.vscode-test');
    if (existsSync(cached) && readdirSync(cached).some(d => d.startsWith('vscode-'))) return undefined;
    try {
        // The first request @vscode/test-electron makes: which version is "stable".
        const response = await fetch('https://update.code.visualstudio.com/api/releases/stable', { signal: AbortSignal.timeout(8_000) });
        if (!response.ok) return `update.code.visualstudio.com answered HTTP ${response.status}`;
        return undefined;
    } catch (e) {
        return `update.code.visualstudio.com is unreachable (${e?.cause?.code ?? e?.name ?? e})`;
    }
}

if (run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(1);

// .vscode-test.mjs reads the bundles from out/; a code-server-only run bundles into a folder of its own (results file
// included), so two runs at once (two `npm test`s) do not delete each other's files.
mkdirSync(join(root, '.cache/vscode-test'), { recursive: true });
const outDir = only === 'code-server' ? mkdtempSync(join(root, '.cache/vscode-test/code-server-')) : join(root, '.cache/vscode-test/out');
rmSync(outDir, { recursive: true, force: true });
// Suite names after the flags (`-- --code-server promptEditor`) run only those files.
const names = process.argv.slice(2).filter(a => !a.startsWith('--'));
const entries = readdirSync(join(root, 'test/vscode'))
    .filter(f => f.endsWith('.test.ts') && (names.length === 0 || names.includes(f.replace(/\.test\.ts$/, ''))))
    .map(f => join(root, 'test/vscode', f));
if (entries.length === 0) {
    console.error(`no test/vscode suite named ${names.join(', ')}`);
    if (only === 'code-server') rmSync(outDir, { recursive: true, force: true });
    process.exit(1);
}
await esbuild.build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    // vscode is the host's; mocha's globals come from the runner; node-llama-cpp loads its own binaries.
    external: ['vscode', 'mocha', 'node-llama-cpp', '@node-llama-cpp/*'],
    logLevel: 'warning',
});
console.log(`[test:vscode] bundled ${entries.length} test file(s) into ${outDir}`);

let failed = false;
const summary = [];

if (only !== 'code-server') {
    const reason = await cannotDownloadVSCode();
    if (reason) {
        summary.push(`test:vscode (VS Code desktop, @vscode/test-electron): NOT RUN — skipped: cannot download VS Code: ${reason}`);
    } else {
        // Electron needs a display; CI machines have none, so run under Xvfb when it is there.
        const cli = join(root, 'node_modules/@vscode/test-cli/out/bin.mjs');
        const headless = !process.env.DISPLAY && spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
        const status = headless ? run('xvfb-run', ['-a', process.execPath, cli]) : run(process.execPath, [cli]);
        summary.push(`test:vscode (VS Code desktop, @vscode/test-electron): ${status === 0 ? 'passed' : `FAILED (exit ${status})`}`);
        failed ||= status !== 0;
    }
}

if (only !== 'electron') {
    try {
        const paths = await ensureToolchain({ quiet: true });
        const status = run(process.execPath, ['--import', 'tsx', 'test/vscode/inCodeServer.ts', outDir], { env: { ...process.env, PROMPTSCOPE_E2E_CODE_SERVER: paths.entry } });
        summary.push(`test:vscode (code-server extension host): ${status === 0 ? 'passed' : `FAILED (exit ${status})`}`);
        failed ||= status !== 0;
    } catch (e) {
        summary.push(`test:vscode (code-server extension host): NOT RUN — toolchain setup failed: ${e instanceof Error ? e.message : e}`);
        failed = true;
    }
}

for (const line of summary) console.log(line);
if (only === 'code-server') rmSync(outDir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
