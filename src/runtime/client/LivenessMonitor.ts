export interface LivenessMonitorOptions {
    /**
     * The bound, in seconds, on how long the host may stay silent; 0 turns the check off. Read at every tick, so a
     * changed setting applies at once.
     */
    timeoutSeconds: () => number;
    /** Sends a ping; the host's answer (or any other message from it) is reported through {@link LivenessMonitor.heard}. */
    ping: (seq: number) => void;
    /** Called once, when the host has been silent for longer than the bound. */
    onUnresponsive: (seconds: number) => void;
}

/** Ticks (and pings) at least this often, so a bound is noticed within a second of running out. */
const longestTickMs = 1000;
/** Ticks at most this often, however short the bound: a ping costs both processes a wake-up. */
const shortestTickMs = 100;

/**
 * Watches that the runtime host's main thread keeps running: pings it every tick and reports it unresponsive when
 * nothing (pong, token, log…) came from it for longer than the bound. Time during which this process itself did not
 * run (the machine slept, or our own event loop was blocked) is not held against the host: its answers may be waiting
 * in the channel unread.
 */
export class LivenessMonitor {
    private lastHeard = performance.now();
    private lastTick = performance.now();
    private seq = 0;
    private tickMs = 0;
    private timer: NodeJS.Timeout | undefined;
    private fired = false;

    constructor(private readonly options: LivenessMonitorOptions) {
        this.schedule();
    }

    /** Something arrived from the host: it was running when it sent it. */
    heard(): void {
        this.lastHeard = performance.now();
    }

    dispose(): void {
        clearInterval(this.timer);
        this.timer = undefined;
    }

    private schedule(): void {
        const seconds = this.options.timeoutSeconds();
        const tickMs = seconds > 0 ? Math.min(longestTickMs, Math.max(shortestTickMs, seconds * 1000 / 4)) : longestTickMs;
        if (tickMs === this.tickMs && this.timer !== undefined) return;
        clearInterval(this.timer);
        this.tickMs = tickMs;
        this.timer = setInterval(() => this.tick(), tickMs);
        // The monitor alone must not keep a CLI process alive.
        this.timer.unref();
    }

    private tick(): void {
        if (this.fired) return;
        const now = performance.now();
        const seconds = this.options.timeoutSeconds();
        // A tick this late means this process was not running: the host is not to blame for the silence meanwhile.
        if (now - this.lastTick > 2 * this.tickMs + 500) this.lastHeard = now;
        this.lastTick = now;
        if (seconds > 0) {
            if (now - this.lastHeard > seconds * 1000) {
                this.fired = true;
                this.dispose();
                this.options.onUnresponsive(seconds);
                return;
            }
            this.options.ping(++this.seq);
        } else {
            // Off: nothing is measured, and turning it on later must not count the time it was off.
            this.lastHeard = now;
        }
        this.schedule();
    }
}
