/**
 * Runs a task per key once its calls stop for `delayMs` (a keystroke postpones the analysis of that
 * document, not of the others). No `vscode` import, so unit tests drive it with short delays.
 */
export class Debouncer<K> {
    private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();

    constructor(private readonly delayMs: number) {}

    /** (Re)starts the timer of `key`; `task` runs when it expires, replacing any task scheduled before. */
    schedule(key: K, task: () => void): void {
        this.cancel(key);
        this.timers.set(key, setTimeout(() => {
            this.timers.delete(key);
            task();
        }, this.delayMs));
    }

    cancel(key: K): void {
        const timer = this.timers.get(key);
        if (timer === undefined) return;
        clearTimeout(timer);
        this.timers.delete(key);
    }

    get pending(): number {
        return this.timers.size;
    }

    dispose(): void {
        for (const timer of this.timers.values()) clearTimeout(timer);
        this.timers.clear();
    }
}
