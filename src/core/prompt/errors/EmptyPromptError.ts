import { PromptError, type PromptErrorLocation } from './PromptError';

/** A prompt with nothing to send: an empty file, or front matter without a template after it. */
export class EmptyPromptError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'EmptyPromptError';
    }
}
