/** The part of VS Code's Memento this needs, so unit tests pass a Map-backed one. */
export interface InputStore {
    get<T>(key: string): T | undefined;
    update(key: string, value: unknown): Thenable<void>;
}

type Remembered = Record<string, Record<string, string>>;

/**
 * The inputs last typed for each prompt file (what the user typed, not the parsed values, so the input
 * box shows it back as written), kept in the workspace state. Only the most recent files are kept so the
 * state does not grow without bound.
 */
export class InputMemory {
    static readonly key = 'promptscope.promptInputs';

    constructor(private readonly store: InputStore, private readonly maxFiles = 200) {}

    /** What was typed for `file`, field by field. */
    recall(file: string): Record<string, string> {
        return { ...this.all()[file] };
    }

    /** Remembers `values` for `file` (merged over what was remembered before), making it the most recent file. */
    async remember(file: string, values: Record<string, string>): Promise<void> {
        const all = this.all();
        const merged = { ...all[file], ...values };
        delete all[file];
        all[file] = merged;
        const files = Object.keys(all);
        for (const old of files.slice(0, Math.max(0, files.length - this.maxFiles))) delete all[old];
        await this.store.update(InputMemory.key, all);
    }

    private all(): Remembered {
        const stored = this.store.get<Remembered>(InputMemory.key);
        return stored !== null && typeof stored === 'object' ? { ...stored } : {};
    }
}
