import { PromptError, type PromptErrorLocation } from './PromptError';

/** An input (given or defaulted) does not match `input.schema`: wrong type or not one of its enum values. */
export class InvalidInputError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'InvalidInputError';
    }
}
