// `npm run test:e2e [-- test/e2e/foo.e2e.ts …]`: the extension in a real VS Code (code-server) in a real
// Chromium. Installs the toolchain on first use (scripts/e2e-setup.mjs), builds the extension, then runs
// the scenario files with node's test runner, one file at a time: each file starts its own code-server
// with the repository folder symlinked in as the installed extension (node_modules/node-llama-cpp
// included). Screenshots and logs land in test-results/e2e/. Exits non-zero when a scenario fails.
//   --vsix   test the packaged extension instead: `npm run package`, then code-server --install-extension.
//            (a production build: it replaces dist/, so not while other test runs use it)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureToolchain } from '../../scripts/e2e-setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = join(root, 'test-results/e2e');
const runningDir = join(resultsDir, '.running');

function fail(message) {
    console.error(`[e2e] ${message}`);
    process.exit(1);
}

function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return e?.code === 'EPERM';
    }
}

/** Ends code-servers a killed test process left behind: only the ones it recorded, by process group. */
function reapLeftovers() {
    if (!existsSync(runningDir)) return;
    for (const name of readdirSync(runningDir)) {
        // Each record is a folder, then the pid of the test process that made it: a record whose process still runs
        // (a test/vscode run or another e2e run beside this one) is not left behind, and not this run's to end.
        const [folder = '', owner] = readFileSync(join(runningDir, name), 'utf8').split('\n').map(line => line.trim());
        if (owner !== undefined && owner !== '' && isAlive(Number(owner))) continue;
        if (name.startsWith('chromium-')) {
            // A Chromium profile; Chromium itself exits with the test process that drove it.
            if (folder.includes('promptscope-e2e-chromium-')) rmSync(folder, { recursive: true, force: true });
            rmSync(join(runningDir, name), { force: true });
            continue;
        }
        const pid = Number(name);
        let cmdline = '';
        try {
            cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
            // already gone
        }
        if (cmdline.includes('code-server')) {
            console.error(`[e2e] stopping code-server ${pid} left running by an interrupted test`);
            try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
        }
        if (folder.includes('promptscope-e2e-')) rmSync(folder, { recursive: true, force: true });
        rmSync(join(runningDir, name), { force: true });
    }
}

let paths;
try {
    paths = await ensureToolchain();
} catch (e) {
    fail(`toolchain setup failed: ${e instanceof Error ? e.message : e}`);
}

const useVsix = process.argv.includes('--vsix');
const env = { ...process.env, PROMPTSCOPE_E2E_CODE_SERVER: paths.entry };
if (useVsix) {
    console.log('[e2e] packaging the extension (node scripts/package.mjs)');
    const started = Date.now();
    if (spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: root, stdio: 'inherit' }).status !== 0) fail('npm run package failed');
    const vsix = readdirSync(root).filter(f => f.endsWith('.vsix')).map(f => join(root, f))
        .filter(f => statSync(f).mtimeMs >= started - 1000).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (!vsix) fail('npm run package wrote no .vsix in the repository root');
    console.log(`[e2e] installing ${vsix} with code-server --install-extension`);
    env.PROMPTSCOPE_E2E_VSIX = vsix;
} else {
    console.log('[e2e] building the extension (node scripts/build.mjs)');
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) fail('build failed');
}
if (!existsSync(join(root, 'dist/extension.js'))) {
    console.warn('[e2e] note: dist/extension.js was not built (src/vscode/extension.ts missing); the extension contributes its manifest only');
}

const args = process.argv.slice(2).filter(a => a !== '--vsix');
const files = args.length > 0 ? args : readdirSync(join(root, 'test/e2e')).filter(f => f.endsWith('.e2e.ts')).sort().map(f => `test/e2e/${f}`);
reapLeftovers();
rmSync(join(resultsDir, 'logs'), { recursive: true, force: true });

console.log(`[e2e] running ${files.join(' ')}; screenshots and logs go to ${resultsDir}`);
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env,
});
for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
}
const code = await new Promise(resolve => child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
reapLeftovers();
process.exit(code);
