import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';

/**
 * One dataset row whose prompt does not fit in the context (a field of a hundred thousand characters): the runtime's
 * {@link ContextOverflowError}, still one for callers that offer a larger context, with its message prefixed by the
 * dataset file and the row as {@link DatasetRowError}'s is, so the row is found at once.
 */
export class DatasetRowOverflowError extends ContextOverflowError {
    /** The dataset file, when the caller named it. */
    readonly file: string | undefined;
    /** The row, from 1. */
    readonly row: number;

    constructor(row: number, cause: ContextOverflowError, file?: string) {
        super(cause.promptTokens, cause.contextSize);
        this.message = `${file ?? 'dataset'}: row ${row}: ${cause.message}`;
        this.name = 'DatasetRowOverflowError';
        this.file = file;
        this.row = row;
        this.cause = cause;
    }
}
