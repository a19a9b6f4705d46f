// Installs the e2e toolchain (code-server from npm + Debian's Chromium) into .cache/e2e/, offline-safe.
//
// code-server's own postinstall downloads ripgrep from GitHub and node-pty's goes through npx, both of
// which fail without internet, so the package is installed with --ignore-scripts and its postinstall.sh
// is replayed here step by step (see issue 8 for the measured recipe). Every step checks its own result
// first, so a half-finished install resumes where it stopped; a stamp file with the versions makes a
// finished install return at once.
//
// `node scripts/e2e-setup.mjs` runs it alone; test/e2e/run.mjs calls ensureToolchain() first.
// E2E_CACHE overrides the cache folder (used to measure a cold install without touching the real one).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Newest code-server whose engines field still accepts Node 20 (the extension host runs on the system Node). */
export const CODE_SERVER_VERSION = '4.100.3';
/** Bumped whenever the steps below change, so old caches are redone rather than trusted. */
const RECIPE_VERSION = 1;
const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'libx11-dev', 'make'];
/** Native modules of VS Code's server that ship without prebuilt binaries for this Node. */
const NATIVE_MODULES = [
    ['kerberos', 'build/Release/kerberos.node'],
    ['@vscode/spdlog', 'build/Release/spdlog.node'],
    ['native-watchdog', 'build/Release/watchdog.node'],
    ['@vscode/deviceid', 'build/Release/windows.node'],
];

/** Where everything lives; test/e2e reads the same paths through the stamp. */
export function toolchainPaths(cacheDir = process.env.E2E_CACHE ? resolve(process.env.E2E_CACHE) : join(root, '.cache/e2e')) {
    const tool = join(cacheDir, 'tool');
    const codeServer = join(tool, 'node_modules/code-server');
    const vscode = join(codeServer, 'lib/vscode');
    return {
        cacheDir,
        tool,
        codeServer,
        vscode,
        entry: join(codeServer, 'out/node/entry.js'),
        stamp: join(cacheDir, 'stamp.json'),
        chromium: '/usr/bin/chromium',
    };
}

function log(message) {
    console.log(`[e2e-setup] ${message}`);
}

function run(cmd, args, options = {}) {
    const started = Date.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...options });
    if (r.status !== 0) {
        const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
        throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}) in ${options.cwd ?? process.cwd()}:\n${out}`);
    }
    return { ...r, ms: Date.now() - started };
}

async function step(title, isDone, action) {
    if (isDone()) {
        log(`${title}: already done`);
        return;
    }
    log(`${title}…`);
    const started = Date.now();
    await action();
    if (!isDone()) throw new Error(`e2e setup step "${title}" finished but its result is missing; see the output above.`);
    log(`${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** node-gyp would download Node headers from the internet; the Debian nodejs package ships them. */
function nodeHeadersDir() {
    const candidates = [dirname(dirname(process.execPath)), '/usr', '/usr/local'];
    const dir = candidates.find(d => existsSync(join(d, 'include/node/node_api.h')));
    if (!dir) throw new Error('Node headers not found (include/node/node_api.h next to node); install them (Debian: libnode-dev / nodejs headers) so native modules can build offline.');
    return dir;
}

function npmEnv() {
    // Native rebuilds must not try the network for headers, and npm's own update/fund chatter is noise here.
    return { ...process.env, npm_config_nodedir: nodeHeadersDir(), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

function missingAptPackages() {
    return APT_PACKAGES.filter(pkg => {
        const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
        return r.status !== 0 || !r.stdout.includes('install ok installed');
    });
}

function nodeGypBin() {
    const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout?.trim();
    const candidates = [
        npmCli && join(npmCli, 'npm/node_modules/node-gyp/bin/node-gyp.js'),
        join(dirname(dirname(process.execPath)), 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
        join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
    ].filter(Boolean);
    const found = candidates.find(p => existsSync(p));
    if (!found) throw new Error(`node-gyp not found (looked in ${candidates.join(', ')}); it ships with npm.`);
    return found;
}

function readStamp(paths) {
    try {
        return JSON.parse(readFileSync(paths.stamp, 'utf8'));
    } catch {
        return undefined;
    }
}

function expectedStamp() {
    return { codeServer: CODE_SERVER_VERSION, recipe: RECIPE_VERSION, node: process.versions.node.split('.')[0] };
}

function stampMatches(paths) {
    const stamp = readStamp(paths);
    const want = expectedStamp();
    return stamp !== undefined
        && Object.entries(want).every(([k, v]) => stamp[k] === v)
        && existsSync(paths.entry) && existsSync(paths.chromium)
        && missingAptPackages().length === 0;
}

function isSymlinkTo(path, target) {
    try {
        return lstatSync(path).isSymbolicLink() && readlinkSync(path) === target;
    } catch {
        return false;
    }
}

function relink(target, path) {
    rmSync(path, { recursive: true, force: true });
    symlinkSync(target, path);
}

/** Whether the toolchain is installed and current (what ensureToolchain would return at once). */
export function toolchainReady() {
    return stampMatches(toolchainPaths());
}

/** Installs whatever is missing; returns the paths. Fast (well under a second) when the stamp matches. */
export async function ensureToolchain({ quiet = false } = {}) {
    const paths = toolchainPaths();
    if (stampMatches(paths)) {
        if (!quiet) log(`toolchain ready (code-server ${CODE_SERVER_VERSION}, ${paths.cacheDir})`);
        return paths;
    }
    const major = Number(process.versions.node.split('.')[0]);
    if (major !== 20) {
        throw new Error(`code-server ${CODE_SERVER_VERSION} runs its extension host on this Node, and it requires Node 20; this is Node ${process.versions.node}.`);
    }
    const started = Date.now();
    log(`installing the e2e toolchain into ${paths.cacheDir} (first run only)`);
    mkdirSync(paths.tool, { recursive: true });

    await step(`apt packages (${APT_PACKAGES.join(' ')})`, () => missingAptPackages().length === 0, () => {
        const missing = missingAptPackages();
        if (process.getuid?.() !== 0) {
            throw new Error(`missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
        }
        const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
        run('apt-get', ['update', '-qq'], { env });
        run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
    });

    const env = npmEnv();
    const csPkg = join(paths.codeServer, 'package.json');
    await step(`npm install code-server@${CODE_SERVER_VERSION} (scripts off)`, () => existsSync(csPkg) && JSON.parse(readFileSync(csPkg, 'utf8')).version === CODE_SERVER_VERSION, () => {
        writeFileSync(join(paths.tool, 'package.json'), JSON.stringify({ private: true, description: 'e2e toolchain, see scripts/e2e-setup.mjs' }, null, 2));
        run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: paths.tool, env });
    });

    // argon2's install script fetches a prebuilt binary from GitHub; building it from source works offline.
    await step('build argon2 from source', () => existsSync(join(paths.tool, 'node_modules/argon2/lib/binding/napi-v3/argon2.node')), () => {
        run('npm', ['rebuild', 'argon2'], { cwd: paths.tool, env });
    });

    await step('install VS Code server dependencies (lib/vscode)', () => existsSync(join(paths.vscode, 'node_modules/.package-lock.json')), () => {
        run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: paths.vscode, env });
    });

    // @vscode/ripgrep's postinstall downloads rg from GitHub; Debian's rg is the same tool.
    const rg = join(paths.vscode, 'node_modules/@vscode/ripgrep/bin/rg');
    await step('use Debian ripgrep for @vscode/ripgrep', () => existsSync(rg), () => {
        const systemRg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
        if (!systemRg) throw new Error('rg not found on PATH although the ripgrep package is installed');
        mkdirSync(dirname(rg), { recursive: true });
        copyFileSync(systemRg, rg);
    });

    const nativeMissing = () => NATIVE_MODULES.filter(([name, file]) => !existsSync(join(paths.vscode, 'node_modules', name, file))).map(([name]) => name);
    await step('build native modules (kerberos, spdlog, native-watchdog, deviceid)', () => nativeMissing().length === 0, () => {
        run('npm', ['rebuild', ...nativeMissing()], { cwd: paths.vscode, env });
    });

    // node-pty's postinstall runs through npx (cancelled offline); node-gyp builds it directly.
    const pty = join(paths.vscode, 'node_modules/node-pty');
    await step('build node-pty with node-gyp', () => existsSync(join(pty, 'build/Release/pty.node')), () => {
        run(process.execPath, [nodeGypBin(), 'rebuild', `--nodedir=${nodeHeadersDir()}`], { cwd: pty, env });
    });

    // The remaining lines of code-server's postinstall.sh (vscode_install after its npm install).
    const asar = join(paths.vscode, 'node_modules.asar');
    const codeBin = join(paths.vscode, 'bin/remote-cli/code-server');
    const browserBin = join(paths.vscode, 'bin/helpers/browser.sh');
    await step('postinstall.sh: node_modules.asar and bin symlinks', () => isSymlinkTo(asar, 'node_modules') && isSymlinkTo(codeBin, 'code-linux.sh') && isSymlinkTo(browserBin, 'browser-linux.sh'), () => {
        relink('node_modules', asar);
        relink('code-linux.sh', codeBin);
        relink('browser-linux.sh', browserBin);
    });

    const extensions = join(paths.vscode, 'extensions');
    await step('postinstall.sh: built-in extensions dependencies', () => existsSync(join(extensions, 'node_modules/typescript/lib/typescript.js')) && !existsSync(join(extensions, 'node_modules/typescript/bin')), () => {
        run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: extensions, env });
        run(process.execPath, ['postinstall.mjs'], { cwd: extensions, env });
    });

    log('checking that the native modules load…');
    const modules = ['kerberos', '@vscode/spdlog', 'native-watchdog', 'node-pty', '@parcel/watcher'];
    const script = modules.map(m => `require(${JSON.stringify(m)});`).join('') + `require(${JSON.stringify(join(paths.tool, 'node_modules/argon2'))});`;
    run(process.execPath, ['-e', script], { cwd: paths.vscode });
    const installSeconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(paths.stamp, JSON.stringify({ ...expectedStamp(), chromium: chromiumVersion(), installedAt: new Date().toISOString(), installSeconds }, null, 2) + '\n');

    log(`toolchain installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return paths;
}

function chromiumVersion() {
    return spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? 'unknown';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    try {
        await ensureToolchain();
    } catch (e) {
        console.error(`[e2e-setup] ${e instanceof Error ? e.message : e}`);
        process.exit(1);
    }
}
