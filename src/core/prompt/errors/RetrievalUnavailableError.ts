import { PromptError, type PromptErrorLocation } from './PromptError';

/**
 * A prompt with `promptscope.retrieval` prepared where no runtime can embed its query (a caller that prepares prompts
 * without a model, e.g. a token count): its passages cannot be known, so the prompt cannot be rendered faithfully.
 */
export class RetrievalUnavailableError extends PromptError {
    constructor(location?: PromptErrorLocation) {
        super('`promptscope.retrieval` needs the runtime to embed its query, and none was given here: run or render the prompt '
            + 'with Promptscope (promptscope run/render/eval, or the editor\'s Run), which embeds it with the index\'s model.', location);
        this.name = 'RetrievalUnavailableError';
    }
}
