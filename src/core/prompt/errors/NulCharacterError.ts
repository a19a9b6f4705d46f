import { PromptError, type PromptErrorLocation } from './PromptError';

/** A prompt or partial holding a NUL byte: binary or UTF-16 text, which no tokenizer takes as meant. */
export class NulCharacterError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'NulCharacterError';
    }
}
