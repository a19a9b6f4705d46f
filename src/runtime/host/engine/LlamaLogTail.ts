/**
 * The last llama.cpp warning and error lines. llama.cpp says why a model failed to load only in its log
 * (node-llama-cpp then throws a bare "Failed to load model"), so errors are enriched from here.
 */
export class LlamaLogTail {
    private readonly lines: string[] = [];
    private recorded = 0;

    constructor(private readonly capacity = 20) {}

    record(level: string, message: string): void {
        if (level !== 'error' && level !== 'warn' && level !== 'fatal') return;
        const line = message.trim();
        if (line === '') return;
        this.lines.push(line);
        this.recorded++;
        if (this.lines.length > this.capacity) this.lines.shift();
    }

    /** Marks where an operation starts, so that only its own lines are quoted afterwards. */
    mark(): number {
        return this.recorded;
    }

    /** Lines recorded since `mark` (as many as were kept). */
    since(mark: number): string[] {
        const fresh = Math.min(this.recorded - mark, this.lines.length);
        return fresh <= 0 ? [] : this.lines.slice(-fresh);
    }
}
