import type { ChatMessage } from '../prompt/chatMessages';
import type { SamplingFields } from '../sampling/validateSampling';
import { deriveSeed } from './deriveSeed';
import type { ExtractAnswer } from './extractAnswer';
import { foldAnswer } from './foldAnswer';
import { majorityVote, type VoteWeighting } from './majorityVote';
import type { PromptRun } from './PromptRun';
import { answerHandlingFor, runSelfConsistency, selfConsistencyDefaults, type PathGenerator } from './selfConsistency';
import type { ReasoningStrategy } from './strategies';
import type { Verbalizer } from './Verbalizer';
import { cotAnswerMessages, cotReasoningMessages } from './zeroShotCot';

/** What a strategy needs of one generation (the runtime's `CompletionResult` has these and more). */
export interface StrategyCompletion {
    text: string;
    seed: number;
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
    chat(request: { messages: ChatMessage[]; sampling?: SamplingFields }, options: { signal?: AbortSignal }): Promise<StrategyCompletion>;
    chatMany(request: { messages: ChatMessage[]; sampling?: SamplingFields; n: number }, options: { signal?: AbortSignal }): Promise<StrategyPaths>;
}

export interface StrategyOptions {
    strategy: ReasoningStrategy;
    /** Sampling given on the command line (or by the editor); it overrides each prompt's own. */
    flags: SamplingFields;
    /** Self-consistency paths. Defaults to the prompt's `promptscope.samples`, else 5. */
    samples?: number;
    /** Self-consistency temperature. Defaults to 0.7. */
    temperature?: number;
    /** Request seed; ensemble variant i and self-consistency path i derive theirs from it. Defaults to random. */
    seed?: number;
    /** Self-consistency vote weighting: `probability` weighs each path by exp(mean token log-probability). Defaults to `count`. */
    weighting?: VoteWeighting;
    /** Ensemble prompts, the main prompt first, all rendered with the same input. Defaults to the main prompt alone. */
    variants?: PromptRun[];
    signal?: AbortSignal;
}

export interface OutcomePath {
    text: string;
    answer: string | undefined;
    rawAnswer: string | undefined;
    meanLogprob: number | undefined;
    seed: number | undefined;
}

export interface OutcomeVariant {
    file: string;
    text: string;
    answer: string | undefined;
    rawAnswer: string | undefined;
}

/** What one strategy run produced, for printing, the run history and dataset scoring alike. */
export interface StrategyOutcome {
    strategy: ReasoningStrategy;
    /** The answer that counts: a label, or the folded extracted answer; undefined when none or unmapped. */
    answer: string | undefined;
    /** The extracted answer as written (direct and cot). */
    rawAnswer?: string | undefined;
    /** The generated text of a direct run; the answer turn's text of a cot run. */
    output?: string;
    /** cot: what the model wrote after the reasoning trigger (few-shot: the text before the answer). */
    reasoning?: string;
    votes?: Record<string, number>;
    agreement?: number;
    tie?: boolean;
    tied?: string[];
    unmapped?: number;
    /** Self-consistency: how votes were weighed. */
    weighting?: VoteWeighting;
    /** Self-consistency: answer → summed vote weight (equal to `votes` under `count`). */
    weights?: Record<string, number>;
    paths?: OutcomePath[];
    variants?: OutcomeVariant[];
    /** Every conversation sent to the model, in order. */
    messages: ChatMessage[][];
    /** Every generated text, in order. */
    outputs: string[];
    seed: number | undefined;
    tokens: { prompt: number; generated: number };
    ms: number;
}

interface AnswerHandling {
    extract: ExtractAnswer;
    verbalizer: Verbalizer | undefined;
}

/** The answer that votes and scores: the verbalizer's label, else the folded answer (undefined when none). */
export function normalizeAnswer(raw: string | undefined, verbalizer: Verbalizer | undefined): string | undefined {
    if (verbalizer) return verbalizer.map(raw);
    return raw === undefined ? undefined : foldAnswer(raw) || undefined;
}

/** The extractor and verbalizer of a prompt; raises AnswerSettingsError for settings that cannot work. */
export function handlingFor(run: PromptRun): AnswerHandling {
    const { extract, verbalizer } = answerHandlingFor(run.settings.answer);
    return { extract: extract!, verbalizer };
}

/** Runs `run` with one strategy on a loaded model (the CLI's and the editor's runs alike). */
export async function executeStrategy(client: StrategyModel, run: PromptRun, options: StrategyOptions): Promise<StrategyOutcome> {
    const startedAt = performance.now();
    const handling = handlingFor(run);
    const tokens = { prompt: 0, generated: 0 };
    const count = (result: StrategyCompletion) => {
        tokens.prompt += result.timing.promptTokens;
        tokens.generated += result.timing.generatedTokens;
    };
    const sampling = { ...run.sampling, ...options.flags, ...(options.seed === undefined ? {} : { seed: options.seed }) };
    const finish = (outcome: Omit<StrategyOutcome, 'tokens' | 'ms' | 'strategy'>): StrategyOutcome =>
        ({ strategy: options.strategy, ...outcome, tokens, ms: performance.now() - startedAt });

    switch (options.strategy) {
        case 'direct': {
            const result = await client.chat({ messages: run.messages, sampling }, { signal: options.signal });
            count(result);
            const rawAnswer = handling.extract(result.text);
            return finish({
                answer: normalizeAnswer(rawAnswer, handling.verbalizer), rawAnswer, output: result.text,
                messages: [run.messages], outputs: [result.text], seed: result.seed,
            });
        }
        case 'cot': {
            if (run.settings.cot === 'few-shot') {
                // The exemplars already show reasoning then answer: one generation, split where the answer starts.
                const result = await client.chat({ messages: run.messages, sampling }, { signal: options.signal });
                count(result);
                const rawAnswer = handling.extract(result.text);
                const marker = run.settings.answer?.marker;
                const at = marker === undefined ? -1 : result.text.toLowerCase().lastIndexOf(marker.toLowerCase());
                return finish({
                    answer: normalizeAnswer(rawAnswer, handling.verbalizer), rawAnswer,
                    reasoning: (at < 0 ? result.text : result.text.slice(0, at)).trim(), output: at < 0 ? result.text : result.text.slice(at),
                    messages: [run.messages], outputs: [result.text], seed: result.seed,
                });
            }
            // The prompt's grammar or output schema shapes the answer, not the reasoning before it.
            const { grammar: _grammar, jsonSchema: _schema, ...free } = sampling;
            const reasoningMessages = cotReasoningMessages(run.messages);
            const first = await client.chat({ messages: reasoningMessages, sampling: free }, { signal: options.signal });
            count(first);
            const reasoning = first.text.trim();
            const answerMessages = cotAnswerMessages(run.messages, reasoning);
            const second = await client.chat({ messages: answerMessages, sampling }, { signal: options.signal });
            count(second);
            const rawAnswer = handling.extract(second.text);
            return finish({
                answer: normalizeAnswer(rawAnswer, handling.verbalizer), rawAnswer, reasoning, output: second.text.trim(),
                messages: [reasoningMessages, answerMessages], outputs: [first.text, second.text], seed: first.seed,
            });
        }
        case 'self-consistency': {
            let seedUsed: number | undefined;
            const generator: PathGenerator = {
                async generate({ n, temperature, seed }) {
                    const result = await client.chatMany({ messages: run.messages, sampling: { ...sampling, temperature, ...(seed === undefined ? {} : { seed }) }, n }, { signal: options.signal });
                    tokens.prompt += result.timing.promptTokens;
                    tokens.generated += result.timing.generatedTokens;
                    seedUsed = result.seed;
                    return result.paths.map(path => ({ text: path.text, meanLogprob: path.meanLogprob, seed: path.seed }));
                },
            };
            const result = await runSelfConsistency(generator, {
                samples: options.samples ?? run.settings.samples ?? selfConsistencyDefaults.samples,
                temperature: options.temperature ?? selfConsistencyDefaults.temperature,
                seed: options.seed, weighting: options.weighting, ...handling,
            });
            return finish({
                answer: result.answer, votes: result.votes, agreement: result.agreement, tie: result.tie, tied: result.vote.tied,
                unmapped: result.unmapped, weighting: result.vote.weighting,
                weights: Object.fromEntries(result.vote.tally.map(t => [t.answer, t.weight])),
                paths: result.paths.map(p => ({ text: p.text, answer: p.answer, rawAnswer: p.rawAnswer, meanLogprob: p.meanLogprob, seed: p.seed })),
                messages: [run.messages], outputs: result.paths.map(p => p.text), seed: seedUsed,
            });
        }
        case 'ensemble': {
            const variants = options.variants ?? [run];
            const results: OutcomeVariant[] = [];
            for (const [index, variant] of variants.entries()) {
                // A variant without answer settings of its own is read the way the main prompt is.
                const own = variant.settings.answer ? handlingFor(variant) : handling;
                const seed = options.seed === undefined ? undefined : deriveSeed(options.seed, index);
                const result = await client.chat({
                    messages: variant.messages,
                    sampling: { ...variant.sampling, ...options.flags, ...(seed === undefined ? {} : { seed }) },
                }, { signal: options.signal });
                count(result);
                const rawAnswer = own.extract(result.text);
                results.push({ file: variant.file ?? '(text)', text: result.text, rawAnswer, answer: normalizeAnswer(rawAnswer, own.verbalizer) });
                if (options.signal?.aborted) break;
            }
            const vote = majorityVote(results.map(v => ({ answer: v.answer })));
            return finish({
                answer: vote.winner, votes: vote.votes, agreement: vote.agreement, tie: vote.tie, tied: vote.tied, unmapped: vote.unmapped,
                variants: results, messages: variants.map(v => v.messages), outputs: results.map(v => v.text), seed: options.seed,
            });
        }
    }
}
