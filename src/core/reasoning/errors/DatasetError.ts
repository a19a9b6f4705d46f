/** A dataset that cannot be evaluated: unreadable, malformed, or a row without the expected answer. */
export class DatasetError extends Error {
    /** The dataset file. */
    readonly file: string;

    constructor(file: string, detail: string) {
        super(`${file}: ${detail}`);
        this.name = 'DatasetError';
        this.file = file;
    }
}
