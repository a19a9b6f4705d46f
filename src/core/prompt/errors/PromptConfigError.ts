import { PromptError, type PromptErrorLocation } from './PromptError';

/** A `config` value (temperature, topP, …) or a `promptscope.*` setting is of the wrong type or out of range. */
export class PromptConfigError extends PromptError {
    constructor(
        /** The front-matter key, e.g. `config.topP` or `promptscope.samples`. */
        readonly key: string,
        detail: string,
        location?: PromptErrorLocation,
    ) {
        super(detail, location);
        this.name = 'PromptConfigError';
    }
}
