import type { StopReason } from '../../shared/runtimeApi';
import type { ChatMessage } from '../prompt/chatMessages';
import type { SamplingOptions } from '../../shared/sampling';
import type { PromptAdapter } from './PromptRun';

/** One conversation as a strategy sends it. */
export interface StrategyRequest {
    messages: ChatMessage[];
    sampling?: SamplingOptions;
    /** Adapters for this request only, instead of the model's. Defaults to the model's adapters. */
    lora?: PromptAdapter[];
}

/** What a strategy needs of one generation (the runtime's `CompletionResult` has these and more). */
export interface StrategyCompletion {
    text: string;
    seed: number;
    stopReason?: StopReason;
    timing: { promptTokens: number; generatedTokens: number };
}

/** What a strategy needs of several sampled paths (the runtime's `MultiCompletionResult`). */
export interface StrategyPaths {
    paths: { text: string; meanLogprob: number | undefined; seed: number }[];
    seed: number;
    timing: { promptTokens: number; generatedTokens: number };
}

/**
 * The model a strategy runs on: the runtime's RPC client fits as it is (`chat`, `chatMany`), so the CLI and the
 * editor run the same strategies on their own client without core knowing about the runtime.
 */
export interface StrategyModel {
    /** Label probabilities (tree-of-thought's evaluator); the runtime's `scoreContinuations`. */
    scoreContinuations?(request: { prompt: ChatMessage[]; continuations: string[]; lora?: PromptAdapter[] }, options: { signal?: AbortSignal }): Promise<{ scores: { text: string; logprob: number }[] }>;
    chat(request: StrategyRequest, options: { signal?: AbortSignal; onToken?: (chunk: { text: string; tokens: number[] }) => void }): Promise<StrategyCompletion>;
    chatMany(request: StrategyRequest & { n: number }, options: { signal?: AbortSignal }): Promise<StrategyPaths>;
}
