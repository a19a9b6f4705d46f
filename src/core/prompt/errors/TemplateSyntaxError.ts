import { PromptError, type PromptErrorLocation } from './PromptError';

/** The Handlebars body (or a partial) does not parse, or calls a helper that does not exist. */
export class TemplateSyntaxError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'TemplateSyntaxError';
    }
}
