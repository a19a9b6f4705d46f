import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface LlamaServerOptions {
    /** Parallel slots (`--parallel`). Defaults to 4. */
    parallel?: number;
    /** Context tokens per slot (`-c` is this times the slots). Defaults to 512. */
    contextPerSlot?: number;
    /** CPU threads for generation and prompt processing. Defaults to 1. */
    threads?: number;
    /** The name it serves the model under (`--alias`). Defaults to `fixture`. */
    alias?: string;
    /** More arguments (`--api-key K`, `-fa off`, …). Defaults to none. */
    extraArgs?: string[];
    /** How long loading may take before it counts as failed, in ms. Defaults to 60 000. */
    startTimeoutMs?: number;
}

/** A port nothing listens on now (the OS picks it; the server binds it a moment later). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const address = probe.address();
            probe.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('the OS gave no port')));
        });
    });
}

const running = new Set<ChildProcess>();
let exitHook = false;

/**
 * llama.cpp's llama-server (a reference build's binary) on 127.0.0.1 and a free port, for the bench and the tests: it
 * resolves once `/health` says the model is loaded, and every process started here is killed by {@link stop} or,
 * failing that, when this process exits.
 */
export class LlamaServerProcess {
    private log = '';
    private readonly exited: Promise<void>;

    private constructor(readonly url: string, readonly child: ChildProcess) {
        child.stderr!.on('data', (chunk: Buffer) => { this.log = (this.log + chunk.toString()).slice(-20_000); });
        this.exited = new Promise(resolve => child.once('exit', () => { running.delete(child); resolve(); }));
    }

    static async start(binary: string, model: string, options: LlamaServerOptions = {}): Promise<LlamaServerProcess> {
        if (!exitHook) {
            exitHook = true;
            process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });
        }
        const parallel = options.parallel ?? 4;
        const threads = String(options.threads ?? 1);
        const port = await freePort();
        const args = [
            '-m', model, '--host', '127.0.0.1', '--port', String(port), '--parallel', String(parallel),
            '-c', String(parallel * (options.contextPerSlot ?? 512)), '--threads', threads, '--threads-batch', threads,
            '--alias', options.alias ?? 'fixture', '--no-webui', ...options.extraArgs ?? [],
        ];
        const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        running.add(child);
        const server = new LlamaServerProcess(`http://127.0.0.1:${port}`, child);
        const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
        for (;;) {
            if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode} while loading:\n${server.recentLog()}`);
            if (await fetch(`${server.url}/health`).then(r => r.ok, () => false)) return server;
            if (Date.now() > deadline) {
                await server.stop();
                throw new Error(`llama-server did not load ${model} in ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)} s:\n${server.recentLog()}`);
            }
            await new Promise(resolve => setTimeout(resolve, 100));
        }
    }

    /** The end of what the server logged, for an error message. */
    recentLog(): string {
        return this.log;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    async stop(): Promise<void> {
        if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
        const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
        await this.exited;
        clearTimeout(killer);
    }
}
