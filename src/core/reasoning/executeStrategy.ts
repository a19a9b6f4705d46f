import type { StopReason } from '../../shared/runtimeApi';
import type { ChatMessage } from '../prompt/chatMessages';
import type { SamplingOptions } from '../../shared/sampling';
import { chatPathGenerator } from './chatPathGenerator';
import { deriveSeed } from './deriveSeed';
import { majorityVote, type VoteWeighting } from './majorityVote';
import { normalizeAnswer } from './normalizeAnswer';
import type { PromptRun } from './PromptRun';
import { answerHandlingFor, runSelfConsistency, selfConsistencyDefaults, type AnswerHandling } from './selfConsistency';
import type { StrategyCompletion, StrategyModel } from './StrategyModel';
import type { ReasoningStrategy } from './strategies';
import { runZeroShotCot, zeroShotCotDefaults } from './zeroShotCot';
import { programAidedMessages, runPrograms } from './programAided';
import { treeOfThought, treeOfThoughtDefaults, type TreeOfThoughtResult } from './treeOfThought';
import { followUpMessages, runSelfAsk, selfAskDefaults, type SelfAskStep } from './selfAsk';
import type { Embedder } from '../retrieval/Embedder';
import { retrievePassages } from '../retrieval/retrievePassages';
import { retrievalDocumentKeys, retrievalDocuments } from '../retrieval/RetrievalSettings';
import { RetrievalUnavailableError } from '../prompt/errors/RetrievalUnavailableError';
import { AnswerSettingsError } from './errors/AnswerSettingsError';
import { randomSeed } from '../sampling/randomSeed';
import { maxSamplePaths } from '../../shared/limits';

export type { StrategyCompletion, StrategyModel, StrategyPaths, StrategyRequest } from './StrategyModel';

/**
 * Which LoRA adapters a run's requests use. `model`: those loaded with the model (the CLI loads a prompt's own
 * adapters into its model). `prompt`: each prompt's own `promptscope.lora`, sent per request, so a shared model
 * (the editor's) keeps its adapters for everyone else; a prompt without any runs on the model's.
 */
export type AdapterSource = 'model' | 'prompt';

export interface StrategyOptions {
    strategy: ReasoningStrategy;
    /** Sampling given on the command line (or by the editor); it overrides each prompt's own. */
    flags: SamplingOptions;
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
    /** Where the requests' adapters come from. Defaults to `model`. */
    adapters?: AdapterSource;
    /**
     * Hears the text of each generation as it is written; `generation` indexes {@link StrategyOutcome.outputs}
     * (cot: 0 the reasoning, 1 the answer; ensemble: the variant). Self-consistency samples its paths in one batch
     * and streams nothing. Defaults to none.
     */
    onToken?(chunk: { text: string; tokens: number[] }, generation: number): void;
    /** Stops the generation in progress; a zero-shot cot stopped in its reasoning does not start its answer turn. */
    signal?: AbortSignal;
    /**
     * Embeds self-ask's follow-up questions when they are answered by retrieval (`promptscope.selfAsk.answerWith:
     * retrieval`): the runtime client. Defaults to none (such a prompt then fails with a RetrievalUnavailableError).
     */
    embedder?: Embedder;
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

export interface OutcomeProgram {
    code: string;
    printed: string[];
    /** Absent when the program ran to its end. */
    failure?: { kind: 'timeout' | 'resources' | 'exception' | 'output'; message: string };
    answer: string | undefined;
    rawAnswer: string | undefined;
    ms: number;
}

/** One self-ask chain of a self-consistent self-ask run: its follow-ups and what its final answer turned out to be. */
export interface OutcomeChain {
    followUps: SelfAskStep[];
    /** The text holding the chain's final answer. */
    output: string;
    answer: string | undefined;
    rawAnswer: string | undefined;
    /** The chain's sampling seed (derived from the request seed). */
    seed: number | undefined;
}

/** One tree search of a self-consistent tree-of-thought run. */
export interface OutcomeSearch {
    tree: TreeOfThoughtResult;
    /** The best state's steps, numbered. */
    reasoning: string;
    /** The extra turn that asked for the answer after the best steps, when no step stated it. */
    answerTurn?: string;
    answer: string | undefined;
    rawAnswer: string | undefined;
    seed: number | undefined;
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
    /** Program-aided: each generated program, what running it printed, and why it failed if it did. */
    programs?: OutcomeProgram[];
    /** Tree-of-thought: every step's candidate thoughts with their values, and the best state. */
    tree?: TreeOfThoughtResult;
    /** Self-ask: the follow-up questions with their intermediate answers, in order. */
    followUps?: SelfAskStep[];
    /** Self-ask with `samples` > 1: every chain, in order; their answers are the votes. */
    chains?: OutcomeChain[];
    /** Tree-of-thought with `samples` > 1: every search, in order; their answers are the votes. */
    searches?: OutcomeSearch[];
    /** Every conversation sent to the model, in order. */
    messages: ChatMessage[][];
    /** Every generated text, in order. */
    outputs: string[];
    seed: number | undefined;
    /** Why the last generation stopped (direct and cot); undefined for votes over several generations. */
    stopReason?: StopReason;
    tokens: { prompt: number; generated: number };
    ms: number;
}

/** The extractor and verbalizer of a prompt; raises AnswerSettingsError for settings that cannot work. */
export function handlingFor(run: PromptRun): AnswerHandling {
    return answerHandlingFor(run.settings.answer);
}

/** The sampling of the main prompt's requests: the prompt's own, then the given flags, then the request seed. */
export function strategySampling(run: PromptRun, options: Pick<StrategyOptions, 'flags' | 'seed'>): SamplingOptions {
    return { ...run.sampling, ...options.flags, ...(options.seed === undefined ? {} : { seed: options.seed }) };
}

/** The adapters `prompt`'s requests run with under `source`: undefined for the model's own. */
export function requestAdapters(prompt: PromptRun, source: AdapterSource | undefined): PromptRun['lora'] | undefined {
    return source === 'prompt' && prompt.lora.length > 0 ? prompt.lora : undefined;
}

/**
 * The outcome of one plain generation of `messages`: the direct strategy's, and the CLI's streamed run's (which
 * generates on its own to print as it goes, and for `--raw`).
 */
export function directOutcome(messages: ChatMessage[], result: StrategyCompletion, handling: AnswerHandling, ms: number): StrategyOutcome {
    const rawAnswer = handling.extract(result.text);
    return {
        strategy: 'direct', answer: normalizeAnswer(rawAnswer, handling.verbalizer), rawAnswer, output: result.text,
        messages: [messages], outputs: [result.text], seed: result.seed, stopReason: result.stopReason,
        tokens: { prompt: result.timing.promptTokens, generated: result.timing.generatedTokens }, ms,
    };
}

/**
 * The sampling of each of `samples` chains (self-ask) or searches (tree-of-thought): `base` itself for one; for
 * several, the self-consistency temperature and seeds derived from the request seed (drawn when there is none), so
 * the chains differ and a seeded run reproduces them.
 */
function chainSamplings(base: SamplingOptions, samples: number, options: Pick<StrategyOptions, 'temperature'>): SamplingOptions[] {
    if (!Number.isInteger(samples) || samples < 1 || samples > maxSamplePaths) {
        throw new AnswerSettingsError('samples', `must be an integer from 1 to ${maxSamplePaths}; got ${String(samples)}.`);
    }
    if (samples === 1) return [base];
    const seed = base.seed ?? randomSeed();
    const temperature = options.temperature ?? selfConsistencyDefaults.temperature;
    return Array.from({ length: samples }, (_, i) => ({ ...base, temperature, seed: deriveSeed(seed, i) }));
}

/** Runs `run` with one strategy on a loaded model (the CLI's and the editor's runs alike). */
export async function executeStrategy(client: StrategyModel, run: PromptRun, options: StrategyOptions): Promise<StrategyOutcome> {
    const startedAt = performance.now();
    const handling = handlingFor(run);
    const { signal, onToken } = options;
    const tokens = { prompt: 0, generated: 0 };
    const count = (timing: StrategyCompletion['timing']) => {
        tokens.prompt += timing.promptTokens;
        tokens.generated += timing.generatedTokens;
    };
    const chat = async (prompt: PromptRun, messages: ChatMessage[], sampling: SamplingOptions, generation: number) => {
        const lora = requestAdapters(prompt, options.adapters);
        const result = await client.chat(
            { messages, sampling, ...(lora === undefined ? {} : { lora }) },
            { signal, ...(onToken === undefined ? {} : { onToken: (chunk: { text: string; tokens: number[] }) => onToken(chunk, generation) }) },
        );
        count(result.timing);
        return result;
    };
    const sampling = strategySampling(run, options);
    const finish = (outcome: Omit<StrategyOutcome, 'tokens' | 'ms' | 'strategy'>): StrategyOutcome =>
        ({ strategy: options.strategy, ...outcome, tokens, ms: performance.now() - startedAt });

    switch (options.strategy) {
        case 'direct': {
            const result = await chat(run, run.messages, sampling, 0);
            return directOutcome(run.messages, result, handling, performance.now() - startedAt);
        }
        case 'cot': {
            if (run.settings.cot === 'few-shot') {
                // The exemplars already show reasoning then answer: one generation, split where the answer starts.
                const result = await chat(run, run.messages, sampling, 0);
                const rawAnswer = handling.extract(result.text);
                const marker = run.settings.answer?.marker;
                const at = marker === undefined ? -1 : result.text.toLowerCase().lastIndexOf(marker.toLowerCase());
                return finish({
                    answer: normalizeAnswer(rawAnswer, handling.verbalizer), rawAnswer,
                    reasoning: (at < 0 ? result.text : result.text.slice(0, at)).trim(), output: at < 0 ? result.text : result.text.slice(at),
                    messages: [run.messages], outputs: [result.text], seed: result.seed, stopReason: result.stopReason,
                });
            }
            // The prompt's grammar or output schema shapes the answer, not the reasoning before it. A model that writes
            // the answer trigger itself has finished reasoning: the answer turn goes on from exactly there, instead of
            // after a second copy of the trigger.
            const { grammar: _grammar, jsonSchema: _schema, ...free } = sampling;
            const reasoningSampling = { ...free, stopSequences: [...free.stopSequences ?? [], zeroShotCotDefaults.answerTrigger] };
            const turns: StrategyCompletion[] = [];
            const cot = await runZeroShotCot(async (messages, turn) => {
                if (turn === 'answer' && signal?.aborted) return '';
                const result = await chat(run, messages, turn === 'reasoning' ? reasoningSampling : sampling, turns.length);
                turns.push(result);
                return result.text;
            }, run.messages, handling.extract);
            return finish({
                answer: normalizeAnswer(cot.answer, handling.verbalizer), rawAnswer: cot.answer, reasoning: cot.reasoning, output: cot.answerText,
                messages: cot.messages.slice(0, turns.length), outputs: turns.map(t => t.text), seed: turns[0]?.seed,
                stopReason: signal?.aborted ? 'aborted' : turns.at(-1)?.stopReason,
            });
        }
        case 'self-consistency': {
            let seedUsed: number | undefined;
            const lora = requestAdapters(run, options.adapters);
            const generator = chatPathGenerator(client, { messages: run.messages, sampling, ...(lora === undefined ? {} : { lora }) }, {
                signal,
                onPaths(result) {
                    count(result.timing);
                    seedUsed = result.seed;
                },
            });
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
        case 'program-aided': {
            // The prompt's grammar or output schema would shape an answer, not a program.
            const { grammar: _grammar, jsonSchema: _schema, ...free } = sampling;
            const messages = programAidedMessages(run.messages);
            const samples = options.samples ?? run.settings.samples ?? 1;
            let replies: string[];
            let seedUsed: number | undefined;
            if (samples <= 1) {
                const result = await chat(run, messages, free, 0);
                replies = [result.text];
                seedUsed = result.seed;
            } else {
                // Several programs, sampled in one batch like self-consistency's paths, vote with their results.
                const lora = requestAdapters(run, options.adapters);
                const result = await client.chatMany({
                    messages, n: samples, sampling: { ...free, temperature: options.temperature ?? selfConsistencyDefaults.temperature },
                    ...(lora === undefined ? {} : { lora }),
                }, { signal });
                count(result.timing);
                replies = result.paths.map(p => p.text);
                seedUsed = result.seed;
            }
            const programs: OutcomeProgram[] = (await runPrograms(replies)).map(path => {
                // A failed program has no answer, whatever it printed before failing.
                const rawAnswer = path.run.failure ? undefined : handling.extract(path.output);
                return {
                    code: path.code, printed: path.run.printed, ...(path.run.failure ? { failure: path.run.failure } : {}),
                    rawAnswer, answer: normalizeAnswer(rawAnswer, handling.verbalizer), ms: path.run.ms,
                };
            });
            if (programs.length === 1) {
                const only = programs[0]!;
                return finish({
                    answer: only.answer, rawAnswer: only.rawAnswer, output: replies[0]!, programs,
                    messages: [messages], outputs: replies, seed: seedUsed, stopReason: signal?.aborted ? 'aborted' : undefined,
                });
            }
            const vote = majorityVote(programs.map(p => ({ answer: p.answer })));
            return finish({
                answer: vote.winner, votes: vote.votes, agreement: vote.agreement, tie: vote.tie, tied: vote.tied, unmapped: vote.unmapped,
                programs, messages: [messages], outputs: replies, seed: seedUsed,
            });
        }
        case 'self-ask': {
            const settings = { ...selfAskDefaults, ...run.settings.selfAsk };
            // The prompt's grammar or output schema would constrain follow-up questions, not just the answer.
            const { grammar: _grammar, jsonSchema: _schema, ...free } = sampling;
            const retrieval = run.retrieval;
            const embedder = options.embedder;
            if (settings.answerWith === 'retrieval' && (retrieval === undefined || embedder === undefined)) {
                // The settings check makes answerWith: retrieval need promptscope.retrieval; a caller without a runtime is left.
                throw new RetrievalUnavailableError({ path: run.file });
            }
            const samples = options.samples ?? run.settings.samples ?? 1;
            // The prompt's include / exclude apply to the follow-ups' passages as to its own.
            const documents = run.settings.retrieval === undefined ? undefined : retrievalDocuments(run.settings.retrieval);
            const messages: ChatMessage[][] = [];
            const outputs: string[] = [];
            const chains: OutcomeChain[] = [];
            const samplings = chainSamplings(free, samples, options);
            let generation = 0;
            // Chains run one after another: each is a conversation of several turns, so no batch shares their prefixes,
            // and their streamed turns read in order in the output document.
            for (const chainSampling of samplings) {
                if (signal?.aborted && chains.length > 0) break;
                const passages: NonNullable<SelfAskStep['passage']>[] = [];
                const asked = await runSelfAsk(
                    async turn => (await chat(run, turn, chainSampling, generation++)).text,
                    settings.answerWith === 'retrieval'
                        // The passage of the prompt's index nearest to the question answers it, as a search engine's snippet did in Press et al.
                        ? async question => {
                            const found = await retrievePassages({ index: retrieval!.index, query: question, k: 1, mode: retrieval!.mode, embedder: embedder!, ...(signal ? { signal } : {}), ...(documents ? { documents, documentKeys: retrievalDocumentKeys } : {}) });
                            const best = found.passages[0]!;
                            passages.push({ file: best.file, startLine: best.startLine, endLine: best.endLine, score: best.score, chunk: best.chunk });
                            return best.text;
                        }
                        // A follow-up is answered by the model on its own, as a new one-turn question.
                        : async question => (await chat(run, followUpMessages(question), chainSampling, generation++)).text,
                    run.messages, settings, signal,
                );
                if (passages.length > 0) asked.followUps.forEach((step, i) => { if (passages[i] !== undefined) step.passage = passages[i]; });
                messages.push(...asked.conversations);
                outputs.push(...asked.replies);
                const rawAnswer = handling.extract(asked.finalText);
                chains.push({
                    followUps: asked.followUps, output: asked.finalText, rawAnswer, answer: normalizeAnswer(rawAnswer, handling.verbalizer),
                    seed: chainSampling.seed,
                });
            }
            const reasoningOf = (chain: OutcomeChain) => chain.followUps.map(f => `${settings.followUp} ${f.question}\n${settings.intermediate} ${f.answer}`).join('\n');
            if (samples <= 1) {
                const only = chains[0]!;
                return finish({
                    answer: only.answer, rawAnswer: only.rawAnswer, output: only.output, followUps: only.followUps, reasoning: reasoningOf(only),
                    messages, outputs, seed: options.seed, stopReason: signal?.aborted ? 'aborted' : undefined,
                });
            }
            // Chat turns carry no token probabilities, so self-ask chains vote by count whatever the weighting asks.
            const vote = majorityVote(chains.map(c => ({ answer: c.answer })));
            return finish({
                answer: vote.winner, votes: vote.votes, agreement: vote.agreement, tie: vote.tie, tied: vote.tied, unmapped: vote.unmapped,
                weighting: vote.weighting, chains, messages, outputs, seed: samplings[0]?.seed,
                stopReason: signal?.aborted ? 'aborted' : undefined,
            });
        }
        case 'tree-of-thought': {
            const score = client.scoreContinuations?.bind(client);
            if (!score) throw new RangeError('tree-of-thought needs label scoring (scoreContinuations), which this model connection does not offer.');
            const tot = { ...treeOfThoughtDefaults, ...run.settings.tot };
            const lora = requestAdapters(run, options.adapters);
            // Thoughts are free one-line steps: the prompt's grammar or output schema would shape an answer, not a step.
            const { grammar: _grammar, jsonSchema: _schema, ...free } = sampling;
            const samples = options.samples ?? run.settings.samples ?? 1;
            const outputs: string[] = [];
            const messages: ChatMessage[][] = [run.messages];
            const searches: OutcomeSearch[] = [];
            /*
             * Self-consistency over tree-of-thought runs N whole searches, each with its own seed, and votes their answers.
             * Wang et al. marginalise over independently sampled reasoning paths; one search's beam is not that: its final
             * states share prefixes and were all chosen by the same evaluator calls, so voting over them would count one
             * search's judgement several times. N independent searches are N samples of what Yao et al.'s procedure
             * answers, the faithful analogue of N sampled chains.
             */
            for (const searchSampling of chainSamplings(free, samples, options)) {
                if (signal?.aborted && searches.length > 0) break;
                const thoughtSampling = {
                    ...searchSampling, temperature: options.temperature ?? selfConsistencyDefaults.temperature,
                    stopSequences: [...(searchSampling.stopSequences ?? []), '\n'],
                };
                const tree = await treeOfThought({
                    async sampleThoughts(turn, n) {
                        const result = await client.chatMany({ messages: turn, n, sampling: thoughtSampling, ...(lora === undefined ? {} : { lora }) }, { signal });
                        count(result.timing);
                        outputs.push(...result.paths.map(p => p.text));
                        return result.paths.map(p => p.text);
                    },
                    async score(turn, continuations) {
                        const result = await score({ prompt: turn, continuations, ...(lora === undefined ? {} : { lora }) }, { signal });
                        const byText = new Map(result.scores.map(s => [s.text, s.logprob]));
                        return continuations.map(c => byText.get(c)!);
                    },
                }, run.messages, tot, thoughts => /answer/i.test(thoughts.at(-1) ?? '') && handling.extract(thoughts.at(-1)!) !== undefined, signal);
                const reasoning = tree.best.map((t, i) => `${i + 1}. ${t}`).join('\n');
                let rawAnswer = tree.best.length > 0 ? handling.extract(tree.best.at(-1)!) : undefined;
                let answerTurn: string | undefined;
                if (!/answer/i.test(tree.best.at(-1) ?? '') && !signal?.aborted) {
                    // No step stated the answer: one more turn asks for it after the best steps, as zero-shot cot does.
                    const turn = [...run.messages.slice(0, -1), { ...run.messages.at(-1)!, text: `${run.messages.at(-1)!.text.trimEnd()}\n\nSteps:\n${reasoning}\nTherefore, the answer is` }];
                    // A single search answers with the prompt's own sampling; each of several with its own seed.
                    const result = await chat(run, turn, samples <= 1 ? sampling : { ...sampling, seed: searchSampling.seed! }, outputs.length);
                    outputs.push(result.text);
                    messages.push(turn);
                    answerTurn = result.text;
                    rawAnswer = handling.extract(result.text);
                }
                searches.push({
                    tree, reasoning, rawAnswer, answer: normalizeAnswer(rawAnswer, handling.verbalizer), seed: searchSampling.seed,
                    ...(answerTurn === undefined ? {} : { answerTurn }),
                });
            }
            if (samples <= 1) {
                const only = searches[0]!;
                return finish({ answer: only.answer, rawAnswer: only.rawAnswer, reasoning: only.reasoning, tree: only.tree, messages, outputs, seed: options.seed });
            }
            // A search's best value is the evaluator's estimate that its state reaches a correct answer: with
            // weighting: probability, that estimate weighs its vote (as exp(mean log-probability) weighs a path's).
            const vote = majorityVote(searches.map(s => ({ answer: s.answer, meanLogprob: Math.log(s.tree.bestValue) })), { weighting: options.weighting ?? 'count' });
            return finish({
                answer: vote.winner, votes: vote.votes, agreement: vote.agreement, tie: vote.tie, tied: vote.tied, unmapped: vote.unmapped,
                weighting: vote.weighting, weights: Object.fromEntries(vote.tally.map(t => [t.answer, t.weight])),
                searches, messages, outputs, seed: searches[0]?.seed,
            });
        }
        case 'ensemble': {
            const variants = options.variants ?? [run];
            const results: OutcomeVariant[] = [];
            for (const [index, variant] of variants.entries()) {
                // A variant without answer settings of its own is read the way the main prompt is.
                const own = variant.settings.answer ? handlingFor(variant) : handling;
                const seed = options.seed === undefined ? undefined : deriveSeed(options.seed, index);
                const result = await chat(variant, variant.messages, { ...variant.sampling, ...options.flags, ...(seed === undefined ? {} : { seed }) }, index);
                const rawAnswer = own.extract(result.text);
                results.push({ file: variant.file ?? '(text)', text: result.text, rawAnswer, answer: normalizeAnswer(rawAnswer, own.verbalizer) });
                if (signal?.aborted) break;
            }
            const vote = majorityVote(results.map(v => ({ answer: v.answer })));
            return finish({
                answer: vote.winner, votes: vote.votes, agreement: vote.agreement, tie: vote.tie, tied: vote.tied, unmapped: vote.unmapped,
                variants: results, messages: variants.slice(0, results.length).map(v => v.messages), outputs: results.map(v => v.text), seed: options.seed,
            });
        }
    }
}
