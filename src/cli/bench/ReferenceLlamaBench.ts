import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Figures llama.cpp's own `llama-bench` reports for one test (`pp` or `tg`). */
export interface LlamaBenchResult {
    test: 'pp' | 'tg';
    tokens: number;
    threads: number;
    tokensPerSecond: number;
    stddev: number;
}

export interface ReferenceBuildOptions {
    /** node-llama-cpp's package folder; its `llama/gitRelease.bundle` holds the exact llama.cpp source it ships. */
    nodeLlamaCppDir: string;
    /** Where the reference build is cached. Defaults to `~/.cache/promptscope/reference`. */
    cacheDir?: string;
    /** Progress lines (cmake output is long; we only report phases). */
    onLine?: (line: string) => void;
}

/**
 * A native build of `llama-bench` from the llama.cpp source node-llama-cpp ships, so that our runtime is compared with
 * llama.cpp itself at the same commit, on the same model and threads. Built once per llama.cpp tag into a cache folder.
 */
export class ReferenceLlamaBench {
    private constructor(readonly binary: string, readonly tag: string) {}

    static cacheFolder(options: ReferenceBuildOptions): string {
        return options.cacheDir ?? join(homedir(), '.cache', 'promptscope', 'reference');
    }

    static llamaCppTag(nodeLlamaCppDir: string): string {
        const info = JSON.parse(readFileSync(join(nodeLlamaCppDir, 'llama', 'llama.cpp.info.json'), 'utf8')) as { tag: string };
        return info.tag;
    }

    /** The cached build, if one exists for node-llama-cpp's llama.cpp tag. */
    static find(options: ReferenceBuildOptions): ReferenceLlamaBench | undefined {
        const tag = ReferenceLlamaBench.llamaCppTag(options.nodeLlamaCppDir);
        const binary = join(ReferenceLlamaBench.cacheFolder(options), tag, 'build', 'bin', 'llama-bench');
        return existsSync(binary) ? new ReferenceLlamaBench(binary, tag) : undefined;
    }

    /** Builds llama-bench (about 3 minutes on 2 cores) unless already cached. */
    static async build(options: ReferenceBuildOptions): Promise<ReferenceLlamaBench> {
        const existing = ReferenceLlamaBench.find(options);
        if (existing) return existing;
        const say = options.onLine ?? (() => {});
        for (const tool of ['git', 'cmake', 'c++']) {
            if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0)
                throw new Error(`building the reference llama-bench needs \`${tool}\` on PATH (Debian: apt-get install git cmake g++)`);
        }
        const tag = ReferenceLlamaBench.llamaCppTag(options.nodeLlamaCppDir);
        const folder = join(ReferenceLlamaBench.cacheFolder(options), tag);
        const source = join(folder, 'src');
        const build = join(folder, 'build');
        const started = Date.now();
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(folder, { recursive: true });
        say(`cloning llama.cpp ${tag} from node-llama-cpp's bundled source`);
        await run('git', ['clone', '--quiet', join(options.nodeLlamaCppDir, 'llama', 'gitRelease.bundle'), source], folder);
        say('configuring (cmake, Release, native CPU)');
        await run('cmake', ['-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release', '-DGGML_NATIVE=ON', '-DLLAMA_CURL=OFF',
            '-DLLAMA_OPENSSL=OFF', '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_SERVER=OFF', '-DLLAMA_BUILD_EXAMPLES=OFF'], folder);
        say('compiling llama-bench (a few minutes)');
        await run('cmake', ['--build', build, '-j', String(Math.max(1, (await import('node:os')).availableParallelism())),
            '--target', 'llama-bench'], folder);
        const built = ReferenceLlamaBench.find(options);
        if (!built) throw new Error(`the reference build finished but ${join(build, 'bin', 'llama-bench')} is missing; see the output above`);
        say(`reference llama-bench built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${built.binary}`);
        return built;
    }

    /**
     * One llama-bench run of one test (after its own warm-up), for interleaving with other measurements: separate
     * invocations between ours see the same machine state, where a block of repetitions after ours would not.
     */
    async measureOnce(model: string, options: { threads: number; test: 'pp' | 'tg'; tokens: number }): Promise<LlamaBenchResult> {
        const [row] = await this.measure(model, {
            threads: options.threads,
            promptTokens: options.test === 'pp' ? options.tokens : 0,
            generateTokens: options.test === 'tg' ? options.tokens : 0,
            repetitions: 1,
        });
        if (!row) throw new Error(`llama-bench reported no ${options.test} result`);
        return row;
    }

    /** Runs prompt processing and generation tests and returns llama-bench's own averages. */
    async measure(model: string, options: { threads: number; promptTokens: number; generateTokens: number; repetitions?: number }): Promise<LlamaBenchResult[]> {
        const args = ['-m', model, '-t', String(options.threads), '-p', String(options.promptTokens), '-n', String(options.generateTokens),
            '-r', String(options.repetitions ?? 3), '-o', 'json'];
        const output = await run(this.binary, args, undefined, true);
        const rows = JSON.parse(output) as { n_prompt: number; n_gen: number; n_threads: number; avg_ts: number; stddev_ts: number }[];
        return rows.map(row => ({
            test: row.n_gen > 0 ? 'tg' : 'pp',
            tokens: row.n_gen > 0 ? row.n_gen : row.n_prompt,
            threads: row.n_threads,
            tokensPerSecond: row.avg_ts,
            stddev: row.stddev_ts,
        }));
    }
}

function run(command: string, args: string[], cwd: string | undefined, capture = false): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        child.on('error', reject);
        child.on('close', code => {
            if (code === 0) resolve(capture ? stdout : '');
            else reject(new Error(`${command} ${args.slice(0, 3).join(' ')}… failed (exit ${code}):\n${stderr.split('\n').slice(-15).join('\n')}`));
        });
    });
}
