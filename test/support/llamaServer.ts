// llama.cpp's own llama-server (built once from node-llama-cpp's bundled source by referenceTools), started by the
// tests on 127.0.0.1 with a project fixture, on a free port; every server started here is killed by `stop()`, and by
// the process's exit if a test forgets.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { referenceTool } from './referenceTools';

export interface LlamaServer {
    url: string;
    process: ChildProcess;
    /** What the server wrote to stderr (its log), for a failing test's message. */
    log(): string;
    stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/** A port nothing listens on now (the OS picks it; the server binds it a moment later). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const address = probe.address();
            probe.close(() => typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')));
        });
    });
}

/**
 * llama-server on `model` with `parallel` slots (each with `contextPerSlot` tokens), one thread, served as `alias`.
 * Resolves once `/health` says the model is loaded.
 */
export async function startLlamaServer(model: string, options: { parallel?: number; alias?: string; contextPerSlot?: number; extraArgs?: string[] } = {}): Promise<LlamaServer> {
    const binary = await referenceTool('llama-server');
    const parallel = options.parallel ?? 4;
    const port = await freePort();
    const args = [
        '-m', model, '--host', '127.0.0.1', '--port', String(port), '--parallel', String(parallel),
        '-c', String(parallel * (options.contextPerSlot ?? 512)), '--threads', '1', '--threads-batch', '1',
        '--alias', options.alias ?? 'fixture', '--no-webui', ...options.extraArgs ?? [],
    ];
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-20000); });
    const exited = new Promise<void>(resolve => child.once('exit', () => { running.delete(child); resolve(); }));
    const url = `http://127.0.0.1:${port}`;
    const server: LlamaServer = {
        url, process: child, log: () => log,
        async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(killer);
        },
    };
    const deadline = Date.now() + 60_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}:\n${log}`);
        const healthy = await fetch(`${url}/health`).then(r => r.ok, () => false);
        if (healthy) return server;
        if (Date.now() > deadline) {
            await server.stop();
            throw new Error(`llama-server did not become healthy in 60 s:\n${log}`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}
