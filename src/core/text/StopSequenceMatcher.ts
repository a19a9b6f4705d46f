/**
 * Finds stop sequences in streamed text whose pieces arrive token by token. A stop may span several
 * tokens (`"\n\n"` from two `"\n"` tokens, `"END"` from `"E"` + `"ND"`), so text that could still become
 * the start of a stop is held back until the next piece decides it; stop text itself is never emitted.
 */
export class StopSequenceMatcher {
    private readonly stops: readonly string[];
    private readonly longest: number;
    private held = '';
    private stoppedAt: string | undefined;

    constructor(stops: readonly string[]) {
        this.stops = stops.filter(s => s.length > 0);
        this.longest = this.stops.reduce((max, s) => Math.max(max, s.length), 0);
    }

    get hasStops(): boolean {
        return this.stops.length > 0;
    }

    /** The stop sequence that matched, once one has. */
    get matchedStop(): string | undefined {
        return this.stoppedAt;
    }

    /**
     * Feeds the next piece of text. Returns the text that is now safe to emit; `stopped` is true when a stop
     * sequence completed, in which case `text` is everything before it and further input is ignored.
     */
    push(piece: string): { text: string; stopped: boolean } {
        if (this.stoppedAt !== undefined) return { text: '', stopped: true };
        if (this.stops.length === 0) return { text: piece, stopped: false };
        const buffer = this.held + piece;

        let firstIndex = -1;
        for (const stop of this.stops) {
            const index = buffer.indexOf(stop);
            if (index >= 0 && (firstIndex < 0 || index < firstIndex)) {
                firstIndex = index;
                this.stoppedAt = stop;
            }
        }
        if (firstIndex >= 0) {
            this.held = '';
            return { text: buffer.slice(0, firstIndex), stopped: true };
        }

        const holdLength = this.partialStopSuffixLength(buffer);
        this.held = buffer.slice(buffer.length - holdLength);
        return { text: buffer.slice(0, buffer.length - holdLength), stopped: false };
    }

    /** Text held back at the end of generation (it turned out not to be a stop). */
    flush(): string {
        const rest = this.stoppedAt === undefined ? this.held : '';
        this.held = '';
        return rest;
    }

    /** Length of the longest suffix of `buffer` that is a proper prefix of some stop. */
    private partialStopSuffixLength(buffer: string): number {
        const max = Math.min(buffer.length, this.longest - 1);
        for (let length = max; length > 0; length--) {
            const suffix = buffer.slice(buffer.length - length);
            if (this.stops.some(stop => stop.startsWith(suffix))) return length;
        }
        return 0;
    }
}
