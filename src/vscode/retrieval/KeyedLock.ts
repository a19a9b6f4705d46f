/**
 * One holder at a time per key: an index folder is written by one build at once (the command's or the watcher's),
 * since two writing the same three files could leave one build's manifest over the other's vectors. Free of `vscode`.
 */
export class KeyedLock {
    private readonly tails = new Map<string, Promise<unknown>>();

    /** Runs `task` once every earlier task of `key` has ended (however it ended), and returns what it returns. */
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
        const before = this.tails.get(key) ?? Promise.resolve();
        const result = before.then(task, task);
        const tail = result.then(() => undefined, () => undefined);
        this.tails.set(key, tail);
        void tail.then(() => {
            if (this.tails.get(key) === tail) this.tails.delete(key);
        });
        return result;
    }

    /** Whether a task of `key` runs or waits. */
    held(key: string): boolean {
        return this.tails.has(key);
    }
}
