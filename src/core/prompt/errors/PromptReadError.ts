import { PromptError } from './PromptError';

/** A prompt file that cannot be read: missing, a folder, or not readable. */
export class PromptReadError extends PromptError {
    constructor(path: string, reason: string) {
        super(reason, { path });
        this.name = 'PromptReadError';
        // Nothing inside the file to point at: the sentence names the file instead of a `file:` prefix.
        this.message = `Cannot read ${path}: ${reason}`;
    }
}
