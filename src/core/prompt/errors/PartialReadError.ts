import { PromptError, type PromptErrorLocation } from './PromptError';

/**
 * A partial that exists but is not read: not a regular file (a link to `/dev/zero`, a FIFO, a folder), over the
 * partial size limit, or not readable. The detail carries the reader's own sentence, which names the file.
 */
export class PartialReadError extends PromptError {
    constructor(readonly partialName: string, detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'PartialReadError';
    }
}
