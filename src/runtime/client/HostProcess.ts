import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { RuntimeLogSink } from '../../shared/runtimeApi';
import { describeExit } from './describeExit';
import { RuntimeStoppedError } from '../../shared/errors/RuntimeStoppedError';
import { RuntimeNotRespondingError } from '../../shared/errors/RuntimeNotRespondingError';
import { reviveError } from '../../shared/errors/serializeError';
import type { ClientMessage, HostMessage, RequestProgress, RuntimeMethod, RuntimeMethods } from '../rpc/protocol';
import { removeBulkFolders, unpackBulk } from '../rpc/bulkTransfer';
import { LivenessMonitor } from './LivenessMonitor';

export interface RequestHooks {
    onTokens?: (tokens: number[], text: string) => void;
    onProgress?: (progress: RequestProgress) => void;
    signal?: AbortSignal;
}

interface PendingRequest {
    resolve(result: unknown): void;
    reject(error: Error): void;
    hooks: RequestHooks;
    detachAbort?: () => void;
}

/** How many of the host's last stderr / llama.cpp lines are kept to explain an exit. */
const keptLines = 30;

/**
 * One runtime host child process and the requests pending on it. Once it exits, every pending request is
 * rejected with a RuntimeStoppedError and this object is spent; RuntimeClient starts a new one. A host that stops
 * answering pings for longer than the response bound is spent the same way: its requests are rejected with a
 * RuntimeNotRespondingError and it is killed.
 */
export class HostProcess {
    private readonly child: ChildProcess;
    private readonly pending = new Map<number, PendingRequest>();
    private readonly lastLines: string[] = [];
    private nextId = 1;
    private exitReason: string | undefined;
    private stopping = false;
    /** Set when the host stopped answering: requests fail with it, and it explains the exit that follows. */
    private unresponsive: RuntimeNotRespondingError | undefined;
    private readonly liveness: LivenessMonitor;
    private readonly failReady: (error: Error) => void;
    readonly ready: Promise<void>;
    readonly exited: Promise<{ reason: string; expected: boolean }>;

    /** `responseTimeoutSeconds` is read at every liveness tick; 0 turns the check off. */
    constructor(hostScript: string, env: NodeJS.ProcessEnv, private readonly log: RuntimeLogSink, responseTimeoutSeconds: () => number) {
        this.child = fork(hostScript, [], {
            stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
            serialization: 'advanced',
            // ggml's abort handler would attach gdb to print a backtrace: slow, and the assertion line says enough.
            // One libuv worker thread: node-llama-cpp runs each decode on a libuv worker, and an OpenMP build of
            // ggml keeps a spinning thread team per calling thread; with the default 4 workers, decodes hop between
            // workers and up to 4 teams spin against each other (tg at 2 threads on 2 cores: ~35 → ~77 tok/s).
            // Decodes are sequential anyway (sequences of a context batch into one decode).
            env: { GGML_NO_BACKTRACE: '1', UV_THREADPOOL_SIZE: '1', ...env },
        });
        this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.captureOutput(chunk, 'info'));
        this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.captureOutput(chunk, 'warn'));

        let markReady!: () => void;
        let failReady!: (error: Error) => void;
        this.ready = new Promise((resolve, reject) => { markReady = resolve; failReady = reject; });
        this.failReady = failReady;
        this.ready.catch(() => undefined);

        this.child.on('message', (message: HostMessage) => {
            this.liveness.heard();
            if (message.type === 'ready') markReady();
            else this.receive(message);
        });
        // From the fork on: a host that hangs while starting is caught too.
        this.liveness = new LivenessMonitor({
            timeoutSeconds: responseTimeoutSeconds,
            ping: seq => this.post({ type: 'ping', seq }),
            onUnresponsive: seconds => this.declareUnresponsive(seconds),
        });
        this.exited = new Promise(resolve => {
            let done = false;
            const finish = (reason: string) => {
                if (done) return;
                done = true;
                this.exitReason = reason;
                this.liveness.dispose();
                const error = () => this.unresponsive ?? new RuntimeStoppedError(reason);
                failReady(error());
                for (const [id, request] of this.pending) {
                    this.pending.delete(id);
                    request.detachAbort?.();
                    request.reject(error());
                }
                resolve({ reason, expected: this.stopping });
            };
            // After the exit, wait for stdio to drain so the last stderr line (a GGML_ASSERT) is in. Not the 'close'
            // event: it never fires once the parent has disconnected the IPC channel itself (as stop() does).
            this.child.on('exit', (code, signal) => {
                if (this.child.pid !== undefined) removeBulkFolders(this.child.pid);
                void drained([this.child.stdout, this.child.stderr], 500).then(() => {
                    this.flushPartialLines();
                    const described = describeExit(code, signal, this.lastLines);
                    if (this.unresponsive) finish(this.unresponsive.reason);
                    else finish(this.stopping ? (code === 0 && !signal ? 'the runtime was stopped' : `the runtime was stopped (${described})`) : described);
                });
            });
            this.child.on('error', error => finish(`the runtime host could not be started (${error.message})`));
        });
    }

    get pid(): number | undefined {
        return this.alive ? this.child.pid : undefined;
    }

    /** False once the host exited or stopped answering (it is being killed then): the client starts a new one. */
    get alive(): boolean {
        return this.exitReason === undefined && this.unresponsive === undefined;
    }

    request<M extends RuntimeMethod>(method: M, params: RuntimeMethods[M]['params'], hooks: RequestHooks = {}): Promise<RuntimeMethods[M]['result']> {
        if (this.unresponsive) return Promise.reject(this.unresponsive);
        if (this.exitReason !== undefined) return Promise.reject(new RuntimeStoppedError(this.exitReason));
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            const request: PendingRequest = { resolve: resolve as (r: unknown) => void, reject, hooks };
            this.pending.set(id, request);
            const { signal } = hooks;
            if (signal) {
                const cancel = () => this.post({ type: 'cancel', id });
                signal.addEventListener('abort', cancel, { once: true });
                request.detachAbort = () => signal.removeEventListener('abort', cancel);
            }
            this.post({ type: 'request', id, method, params, ...(hooks.onTokens ? { stream: true } : {}) });
            if (signal?.aborted) this.post({ type: 'cancel', id });
        });
    }

    /** Ends the process: politely (disconnect lets it free the model), then SIGKILL after `graceMs`. */
    async stop(graceMs = 2000): Promise<void> {
        if (this.exitReason !== undefined) return;
        if (this.unresponsive) {
            // Already killed; only its exit is left to wait for.
            await this.exited;
            return;
        }
        this.stopping = true;
        const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
        if (this.child.connected) this.child.disconnect();
        else this.child.kill('SIGKILL');
        await this.exited;
        clearTimeout(timer);
    }

    /**
     * The host stopped answering: every pending request fails now (the caller must not wait for a process that may
     * never run again), then the process is killed. SIGKILL, because it also ends a stopped (SIGSTOP) process and
     * needs nothing from the host; its exit then completes `exited`, and the client starts a new host on the next request.
     */
    private declareUnresponsive(seconds: number): void {
        if (!this.alive) return;
        const error = new RuntimeNotRespondingError(seconds);
        this.unresponsive = error;
        this.failReady(error);
        this.log('error', `Runtime host (pid ${this.child.pid}) did not answer for ${seconds} s: killing it`, 'runtime');
        for (const [id, request] of this.pending) {
            this.pending.delete(id);
            request.detachAbort?.();
            request.reject(error);
        }
        this.child.kill('SIGKILL');
    }

    private post(message: ClientMessage): void {
        if (!this.child.connected) return;
        // A send can still fail if the host dies right now; its exit handler then rejects the request.
        this.child.send(message, error => { if (error) this.log('debug', `runtime host unreachable: ${error.message}`, 'runtime'); });
    }

    private receive(message: HostMessage): void {
        switch (message.type) {
            case 'log':
                if (message.source === 'llama.cpp' && (message.level === 'error' || message.level === 'warn')) this.keep(message.message);
                this.log(message.level, message.message, message.source);
                return;
            case 'tokens': {
                const onTokens = this.pending.get(message.id)?.hooks.onTokens;
                if (onTokens) this.guard('onToken', () => onTokens(message.tokens, message.text));
                return;
            }
            case 'progress': {
                const onProgress = this.pending.get(message.id)?.hooks.onProgress;
                if (onProgress) this.guard('onProgress', () => onProgress(message.progress));
                return;
            }
            case 'response':
            case 'error': {
                const request = this.pending.get(message.id);
                if (!request) return;
                this.pending.delete(message.id);
                request.detachAbort?.();
                if (message.type === 'error') {
                    request.reject(reviveError(message.error));
                    return;
                }
                try {
                    request.resolve(unpackBulk(message.result));
                } catch (error) {
                    request.reject(error instanceof Error ? error : new Error(String(error)));
                }
                return;
            }
        }
    }

    /** A caller's callback that throws must not become an uncaught exception in the extension host. */
    private guard(what: string, callback: () => void): void {
        try {
            callback();
        } catch (error) {
            this.log('error', `${what} callback failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, 'runtime');
        }
    }

    private partialLine = { info: '', warn: '' };

    private captureOutput(chunk: string, level: 'info' | 'warn'): void {
        const lines = (this.partialLine[level] + chunk).split('\n');
        this.partialLine[level] = lines.pop() ?? '';
        for (const line of lines) {
            if (line.trim() === '') continue;
            this.keep(line);
            this.log(level, line, 'runtime');
        }
    }

    private flushPartialLines(): void {
        for (const level of ['info', 'warn'] as const) {
            const rest = this.partialLine[level];
            this.partialLine[level] = '';
            if (rest.trim() !== '') this.keep(rest);
        }
    }

    private keep(line: string): void {
        this.lastLines.push(line);
        if (this.lastLines.length > keptLines) this.lastLines.shift();
    }
}

/** Resolves when every stream has ended (or after `timeoutMs`, whichever comes first). */
function drained(streams: (Readable | null)[], timeoutMs: number): Promise<void> {
    const open = streams.filter((s): s is Readable => s !== null && !s.readableEnded && !s.destroyed);
    if (open.length === 0) return Promise.resolve();
    return new Promise(resolve => {
        const timer = setTimeout(resolve, timeoutMs);
        let left = open.length;
        for (const stream of open) {
            let counted = false;
            const done = () => {
                if (counted) return;
                counted = true;
                if (--left === 0) {
                    clearTimeout(timer);
                    resolve();
                }
            };
            stream.once('end', done);
            stream.once('close', done);
        }
    });
}
