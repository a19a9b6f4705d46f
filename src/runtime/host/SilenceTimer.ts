/**
 * Aborts its signal once `seconds` pass without a {@link reset}: how a download that stopped receiving bytes is
 * noticed. 0 seconds: never.
 */
export class SilenceTimer {
    private readonly controller = new AbortController();
    private timer: NodeJS.Timeout | undefined;

    constructor(private readonly seconds: number) {
        this.reset();
    }

    /** Aborted when the silence ran out. */
    get signal(): AbortSignal {
        return this.controller.signal;
    }

    /** Something arrived: the silence starts again from now. */
    reset(): void {
        if (this.seconds <= 0 || this.controller.signal.aborted) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.controller.abort(), this.seconds * 1000);
    }

    dispose(): void {
        clearTimeout(this.timer);
        this.timer = undefined;
    }
}
