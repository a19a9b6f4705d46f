import { PromptError, type PromptErrorLocation } from './PromptError';

/** The rendered prompt holds something a local text model cannot take: media, tool calls or data parts. */
export class UnsupportedContentError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'UnsupportedContentError';
    }
}
