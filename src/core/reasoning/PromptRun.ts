import type { RetrievalOutcome } from '../retrieval/retrievePassages';
import type { ChatMessage } from '../prompt/chatMessages';
import type { PromptscopeSettings } from '../prompt/settings/PromptscopeSettings';
import type { SamplingOptions } from '../../shared/sampling';

/** A LoRA adapter as a prompt asks for it (the runtime's `LoraAdapterSpec`). */
export interface PromptAdapter {
    path: string;
    scale?: number;
}

/** One prompt ready to run: what goes to the model, and the prompt's own Promptscope settings. */
export interface PromptRun {
    /** Absolute path of the prompt file; undefined for text given directly (`--text`). */
    file: string | undefined;
    messages: ChatMessage[];
    /** The prompt's own sampling (its `config`, `output.schema` as a JSON-schema grammar). */
    sampling: SamplingOptions;
    lora: PromptAdapter[];
    settings: PromptscopeSettings;
    /** sha256 of the prompt's text, so a history line names the exact prompt it ran. */
    promptHash: string;
    /** What `promptscope.retrieval` retrieved for the prompt (its index, k and mode serve self-ask's follow-ups too). */
    retrieval?: RetrievalOutcome;
}
