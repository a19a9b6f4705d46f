import { PromptError, type PromptErrorLocation } from './PromptError';

/** The YAML front matter cannot be read: not closed by a `---` line, a YAML syntax error, or not a mapping. */
export class FrontMatterError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'FrontMatterError';
    }
}
