/** The timer functions a debouncer uses: the global ones, or a test's. */
export interface DebounceTimers {
    set(callback: () => void, ms: number): unknown;
    clear(handle: unknown): void;
}

const globalTimers: DebounceTimers = {
    set: (callback, ms) => setTimeout(callback, ms),
    clear: handle => clearTimeout(handle as NodeJS.Timeout),
};

export interface SerialDebouncerOptions {
    /** Quiet time after the last trigger before the task runs: a save, a formatter's save and a git checkout are one burst. */
    delayMs: number;
    /** Called with what the task threw; the debouncer goes on. Defaults to ignoring it. */
    onError?: (error: unknown) => void;
    /** Defaults to `setTimeout` / `clearTimeout`. */
    timers?: DebounceTimers;
}

/**
 * Runs an async task after a burst of triggers has gone quiet, never two runs at once: a trigger during a run is
 * remembered and answered by one more run after it (its work is not thrown away, so a file saved every few seconds
 * still gets its index updated). `dispose` cancels a pending run and aborts the running one through its signal.
 * Free of `vscode`, so its timing is tested with fake timers.
 */
export class SerialDebouncer {
    private timer: unknown;
    private running: Promise<void> | undefined;
    private controller: AbortController | undefined;
    private again = false;
    private disposed = false;
    private readonly timers: DebounceTimers;

    constructor(private readonly task: (signal: AbortSignal) => Promise<void>, private readonly options: SerialDebouncerOptions) {
        this.timers = options.timers ?? globalTimers;
    }

    /** Something changed: (re)start the quiet period, or ask for another run after the one in progress. */
    trigger(): void {
        if (this.disposed) return;
        if (this.timer !== undefined) this.timers.clear(this.timer);
        this.timer = this.timers.set(() => this.fire(), this.options.delayMs);
    }

    /** Whether a run is waiting for its quiet period, running, or asked for after the one running. */
    get busy(): boolean {
        return this.timer !== undefined || this.running !== undefined;
    }

    /** The run in progress, resolved when it ends (never rejected); undefined when none runs. */
    get current(): Promise<void> | undefined {
        return this.running;
    }

    dispose(): void {
        this.disposed = true;
        if (this.timer !== undefined) this.timers.clear(this.timer);
        this.timer = undefined;
        this.again = false;
        this.controller?.abort();
    }

    private fire(): void {
        this.timer = undefined;
        if (this.disposed) return;
        if (this.running !== undefined) {
            this.again = true;
            return;
        }
        const controller = new AbortController();
        this.controller = controller;
        this.running = (async () => {
            try {
                await this.task(controller.signal);
            } catch (error) {
                this.options.onError?.(error);
            }
        })().finally(() => {
            this.running = undefined;
            this.controller = undefined;
            const again = this.again;
            this.again = false;
            // A trigger whose quiet period ended during the run is answered at once; one still quiet runs when it ends.
            if (again && this.timer === undefined) this.fire();
        });
    }
}
