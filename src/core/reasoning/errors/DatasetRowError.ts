/**
 * One dataset row the prompt cannot be prepared for (a missing or mistyped input variable, a template that fails on
 * its values): the cause's own message, prefixed with the dataset file and the row, so a bad row among thousands is
 * found at once. Rows count from 1, the header of a CSV file not counted, as in every dataset message.
 */
export class DatasetRowError extends Error {
    /** The dataset file, when the caller named it. */
    readonly file: string | undefined;
    /** The row, from 1. */
    readonly row: number;

    constructor(row: number, cause: unknown, file?: string) {
        const detail = cause instanceof Error ? cause.message : String(cause);
        super(`${file ?? 'dataset'}: row ${row}: ${detail}`, { cause });
        this.name = 'DatasetRowError';
        this.file = file;
        this.row = row;
    }
}
