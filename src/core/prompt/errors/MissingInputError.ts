import { PromptError, type PromptErrorLocation } from './PromptError';

/** An input that `input.schema` requires was neither given nor defaulted in `input.default`. */
export class MissingInputError extends PromptError {
    constructor(
        /** Dotted path of the missing input, e.g. `topic` or `user.name`. */
        readonly inputPath: string,
        detail: string,
        location?: PromptErrorLocation,
    ) {
        super(detail, location);
        this.name = 'MissingInputError';
    }
}
