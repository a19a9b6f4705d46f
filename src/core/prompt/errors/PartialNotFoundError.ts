import { PromptError, type PromptErrorLocation } from './PromptError';

/** `{{> name}}` names a partial that is neither registered nor found as `_name.prompt` beside the prompt. */
export class PartialNotFoundError extends PromptError {
    constructor(
        readonly partialName: string,
        detail: string,
        location?: PromptErrorLocation,
    ) {
        super(detail, location);
        this.name = 'PartialNotFoundError';
    }
}
