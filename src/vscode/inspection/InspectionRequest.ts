import type { ChatMessage, LoraAdapterSpec, SamplingOptions } from '../../shared/runtimeApi';
import type { TokenSpeculation } from '../../shared/protocols/tokenProbabilities';

/**
 * A run for the token probabilities and attention panels to inspect when no `.prompt` file stands behind it (the
 * playground's last run): the prompt exactly as it ran, its sampling and adapters, and the tokens it generated, so
 * the panels show that run rather than a new one that merely looks like it.
 */
export interface InspectionRequest {
    /** Showing a request with the same key again reuses its panel (the playground has one, not one per run). */
    key: string;
    /** Panel title, e.g. `playground run 3`. */
    title: string;
    /** Chat messages (rendered through the model's chat template) or raw completion text (tokenized as a run tokenizes it). */
    prompt: ChatMessage[] | string;
    /** The run's sampling, seed included; grammars, schemas and stop sequences are dropped where they do not apply. */
    sampling: SamplingOptions;
    /** The run's adapters (`[]`: the base model). Defaults to the model's own adapters. */
    lora?: LoraAdapterSpec[];
    /**
     * The tokens the run generated: the probabilities panel scores them instead of sampling anew, the attention panel
     * evaluates them after the prompt. Defaults to none (probabilities: sampled with the run's seed; attention: the prompt only).
     */
    generated?: number[];
    /**
     * Where each of `generated` came from in a speculative run (accepted draft or the model's own) and the drafts it
     * replaced: the probabilities panel colours the generated tokens by it. Defaults to none (not speculative).
     */
    speculation?: TokenSpeculation[];
}
