import { PromptError, type PromptErrorLocation } from './PromptError';

/**
 * A prompt or partial nesting Handlebars blocks deeper than `maxTemplateNesting`: refused before Handlebars, whose
 * recursive parser and renderer would overflow the stack on it.
 */
export class TemplateNestingError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'TemplateNestingError';
    }
}
