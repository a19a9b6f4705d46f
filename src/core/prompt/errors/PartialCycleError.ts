import { PromptError, type PromptErrorLocation } from './PromptError';

/** A partial that includes itself, directly or through others, so rendering would never end. */
export class PartialCycleError extends PromptError {
    constructor(
        /** The partials of the loop, first and last the same, e.g. `['a', 'b', 'a']`. */
        readonly chain: readonly string[],
        detail: string,
        location?: PromptErrorLocation,
    ) {
        super(detail, location);
        this.name = 'PartialCycleError';
    }
}
