import { PromptError, type PromptErrorLocation } from './PromptError';

/** Handlebars threw while rendering (a helper failed, a dynamic partial was missing, …). Nothing was rendered. */
export class TemplateRenderError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'TemplateRenderError';
    }
}
