import { PromptError, type PromptErrorLocation } from './PromptError';

/** `input.schema` or `output.schema` is not valid Picoschema or JSON schema. */
export class PromptSchemaError extends PromptError {
    constructor(detail: string, location?: PromptErrorLocation) {
        super(detail, location);
        this.name = 'PromptSchemaError';
    }
}
