import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { delimiter, join } from 'node:path';
import { nodeLlamaCppFolder } from './nodeLlamaCppFolder';

/**
 * Building node-llama-cpp's native binding for this CPU from the llama.cpp source it ships
 * (`llama/gitRelease.bundle`), offline. The build is node-llama-cpp's own `source download --gpu false`: with the
 * bundle present for the pinned release it clones the bundle (no network), applies node-llama-cpp's patches and
 * compiles with cmake (GGML_NATIVE on, so ggml uses every instruction set this CPU has). The result lands where
 * node-llama-cpp looks for local builds: `node_modules/node-llama-cpp/llama/localBuilds/<platform-arch>/`.
 * `getLlama({build: "never"})` (LlamaBackend) loads a local build first when one exists and falls back to the
 * prebuilt binaries when it is absent or fails to load. Reinstalling node-llama-cpp removes the build.
 */

export interface BuildRuntimeOptions {
    /** One call per line of the build's output (ANSI colours removed, empty lines skipped). */
    onLine?: (line: string) => void;
    signal?: AbortSignal;
    /** Environment the build runs in (PATH decides which cmake and compiler are found). Defaults to process.env. */
    env?: NodeJS.ProcessEnv;
    /** Niceness of the build (0–19). Defaults to 10: the machine stays usable while it compiles. */
    niceness?: number;
    /** node-llama-cpp's package folder. Defaults to the one found next to this file. */
    nodeLlamaCppDir?: string;
}

export interface BuildRuntimeResult {
    ok: boolean;
    /** What happened, in one or two sentences a user can act on. */
    message: string;
    seconds: number;
    /** The local build's folder when the build succeeded. */
    buildFolder?: string;
    cancelled?: boolean;
}

/** A missing build tool: what to install, with the Debian/Ubuntu package that provides it. */
export interface MissingTool {
    tool: string;
    debianPackage: string;
}

/** The first executable called `name` on `PATH`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const path = env.PATH ?? env.Path ?? '';
    for (const folder of path.split(delimiter)) {
        if (folder === '') continue;
        const candidate = join(folder, name);
        try {
            accessSync(candidate, constants.X_OK);
            if (statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** Build tools the local build needs that are not on `PATH`: cmake, a C++ compiler, git (clones the bundle). */
export function missingBuildTools(env: NodeJS.ProcessEnv = process.env): MissingTool[] {
    const missing: MissingTool[] = [];
    if (!findOnPath('cmake', env)) missing.push({ tool: 'cmake', debianPackage: 'cmake' });
    if (!['c++', 'g++', 'clang++'].some(name => findOnPath(name, env))) missing.push({ tool: 'a C++ compiler (g++)', debianPackage: 'build-essential' });
    if (!findOnPath('git', env)) missing.push({ tool: 'git', debianPackage: 'git' });
    return missing;
}

export function describeMissingTools(missing: MissingTool[]): string {
    const tools = missing.map(m => m.tool).join(', ');
    const packages = [...new Set(missing.map(m => m.debianPackage))].join(' ');
    return `Cannot build the optimized runtime: ${tools} not found on PATH. `
        + `Install ${missing.length === 1 ? 'it' : 'them'} (Debian/Ubuntu: sudo apt-get install ${packages}) and try again. `
        + 'The prebuilt runtime stays in use.';
}

/** node-llama-cpp's local builds folder (where `source download` puts its build). */
export function localBuildsFolder(nodeLlamaCppDir: string | undefined = nodeLlamaCppFolder()): string | undefined {
    return nodeLlamaCppDir === undefined ? undefined : join(nodeLlamaCppDir, 'llama', 'localBuilds');
}

/** The local build folders that hold a loadable binding (`Release/llama-addon.node`), newest first. */
export function existingLocalBuilds(nodeLlamaCppDir: string | undefined = nodeLlamaCppFolder()): string[] {
    const root = localBuildsFolder(nodeLlamaCppDir);
    if (root === undefined || !existsSync(root)) return [];
    return readdirSync(root)
        .map(name => join(root, name))
        .filter(folder => existsSync(join(folder, 'Release', 'llama-addon.node')))
        .sort((a, b) => statSync(join(b, 'Release', 'llama-addon.node')).mtimeMs - statSync(join(a, 'Release', 'llama-addon.node')).mtimeMs);
}

const ansi = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export async function buildOptimizedRuntime(options: BuildRuntimeOptions = {}): Promise<BuildRuntimeResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const env = options.env ?? process.env;
    const dir = options.nodeLlamaCppDir ?? nodeLlamaCppFolder();
    if (dir === undefined) {
        return { ok: false, seconds: seconds(), message: 'Cannot build the optimized runtime: node-llama-cpp is not installed next to Promptscope. The prebuilt runtime stays in use.' };
    }
    const bundle = join(dir, 'llama', 'gitRelease.bundle');
    if (!existsSync(bundle)) {
        return { ok: false, seconds: seconds(), message: `Cannot build the optimized runtime offline: ${bundle} (the llama.cpp source node-llama-cpp ships) is missing; reinstall node-llama-cpp. The prebuilt runtime stays in use.` };
    }
    const missing = missingBuildTools(env);
    if (missing.length > 0) return { ok: false, seconds: seconds(), message: describeMissingTools(missing) };
    if (options.signal?.aborted) return { ok: false, cancelled: true, seconds: 0, message: 'Build cancelled before it started. The prebuilt runtime stays in use.' };

    const cli = join(dir, 'dist', 'cli', 'cli.js');
    const args = [cli, 'source', 'download', '--gpu', 'false', '--noUsageExample'];
    const onLine = options.onLine ?? (() => undefined);
    onLine(`Building node-llama-cpp's native binding from its bundled llama.cpp source (offline): node-llama-cpp ${args.slice(1).join(' ')}`);

    const tail: string[] = [];
    const code = await new Promise<number | string>((resolvePromise) => {
        const child = spawn(process.execPath, args, {
            cwd: dir,
            // the bundle is used for the pinned release, so nothing is fetched; colours off
            // (ELECTRON_RUN_AS_NODE: in VS Code's extension host, process.execPath is Electron)
            env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1', ELECTRON_RUN_AS_NODE: '1' },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true, // its own process group, so a cancel stops cmake and the compilers too
        });
        if (child.pid !== undefined) {
            try { setPriority(child.pid, options.niceness ?? 10); } catch { /* not permitted: build at normal priority */ }
        }
        const lineReader = (stream: NodeJS.ReadableStream) => {
            let pending = '';
            stream.setEncoding('utf8');
            stream.on('data', (chunk: string) => {
                pending += chunk;
                const parts = pending.split(/\r?\n|\r/);
                pending = parts.pop() ?? '';
                for (const part of parts) emit(part);
            });
            stream.on('end', () => { if (pending !== '') emit(pending); });
        };
        let lastProgress = '';
        const emit = (raw: string) => {
            const line = raw.replace(ansi, '').trimEnd();
            if (line.trim() === '' || /^\d+s left$/.test(line.trim())) return;
            // git's clone progress ("Cloning … 42%") comes many times a second: keep every 25%
            const progress = /^(.*?)\s+(\d+)%(.*)$/.exec(line);
            if (progress !== null && !line.startsWith('[')) {
                const key = `${progress[1]}${progress[3]} ${Math.floor(Number(progress[2]) / 25)}`;
                if (key === lastProgress) return;
                lastProgress = key;
            }
            tail.push(line);
            if (tail.length > 30) tail.shift();
            onLine(line);
        };
        lineReader(child.stdout!);
        lineReader(child.stderr!);
        const abort = () => {
            if (child.pid !== undefined) {
                try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
            }
        };
        options.signal?.addEventListener('abort', abort, { once: true });
        child.on('error', error => resolvePromise(error.message));
        child.on('close', (status, signal) => {
            options.signal?.removeEventListener('abort', abort);
            resolvePromise(status ?? signal ?? 'unknown');
        });
    });

    if (options.signal?.aborted) {
        return { ok: false, cancelled: true, seconds: seconds(), message: 'Build cancelled. The prebuilt runtime stays in use (a partial build is not loaded).' };
    }
    const builds = existingLocalBuilds(dir);
    if (code !== 0 || builds.length === 0) {
        const reason = tail.filter(line => /error|fail|not found/i.test(line)).slice(-3).join(' | ') || tail.slice(-3).join(' | ');
        return {
            ok: false,
            seconds: seconds(),
            message: `The optimized runtime build failed (exit ${String(code)}): ${reason || 'no output'}. The prebuilt runtime stays in use.`,
        };
    }
    return {
        ok: true,
        seconds: seconds(),
        buildFolder: builds[0],
        message: `Built the optimized runtime in ${seconds().toFixed(0)} s: ${builds[0]}. Promptscope loads it from the next model load `
            + '(restart the runtime or reload the model); the prebuilt binaries are used when it is absent or fails to load.',
    };
}
