import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import type { BackendCapabilities, BackendDescription, BackendFeature } from '../../../shared/backends';
import { BackendCapabilityError } from '../../../shared/errors/BackendCapabilityError';
import { ServerModelError } from '../../../shared/errors/ServerModelError';
import { ServerResponseError } from '../../../shared/errors/ServerResponseError';
import { maxProbabilityAlternatives, maxSeed } from '../../../shared/limits';
import type {
    ChatManyRequest, ChatMessage, ChatRequest, CompletionRequest, CompletionResult, ContinuationScore, LoraAdapterSpec,
    MultiCompletionResult, SampledPath, ScoreContinuationsRequest, StreamOptions, TokenProbabilitiesRequest, TokenProbability,
} from '../../../shared/runtimeApi';
import type { SamplingOptions } from '../../../shared/sampling';
import { validateSampling } from '../../../core/sampling/validateSampling';
import { deriveSeed } from '../../../core/reasoning/deriveSeed';
import type { BackendProbabilitiesResult, BackendScoreResult, BoundedScore, InferenceBackend } from '../InferenceBackend';
import { samplingFields, type ServerFlavor } from './openAiSampling';
import { readChoice, stopReasonOf, type ServerToken } from './readChoice';
import { ServerConnection, type ServerConnectionOptions } from './ServerConnection';

export interface OpenAiBackendOptions extends Omit<ServerConnectionOptions, 'concurrency'> {
    /** The model to ask for (`model` in each request). Defaults to the only model the first server lists in `/v1/models`. */
    model?: string;
    /** Requests in flight at once over all URLs. Defaults to the servers' slot counts added up (llama-server's `/props`), else 1. */
    concurrency?: number;
    /**
     * Generated-token probabilities as llama-server's sampler left them (`post_sampling_probs`) rather than the model's
     * raw distribution. Self-consistency's path probabilities always use the sampler's view (as the embedded runtime's
     * do). Defaults to false.
     */
    afterSampler?: boolean;
    /**
     * Alternatives asked for per position when scoring labels: a label token below them makes its score a bound.
     * llama-server lists as many as asked (its whole vocabulary makes every score exact, at a reply of that size per
     * step); other servers 20 at most. Defaults to 100 (llama-server), else 20.
     */
    scoreTopK?: number;
}

/** What discovery learned about the servers. */
interface ServerFacts {
    flavor: ServerFlavor;
    model: string;
    /** Slots over all URLs. */
    slots: number;
    server: string | undefined;
    /** llama-server's adapters (`/lora-adapters`), by id. */
    adapters: { id: number; path: string }[];
    /** The vocabulary size, when `/v1/models` reports it (llama-server's `meta.n_vocab`). */
    vocabularySize: number | undefined;
}

/**
 * An OpenAI-compatible inference server (llama-server, vLLM, SGLang, Ollama, LM Studio) as a backend: chat and
 * completions streamed over SSE with log-probabilities, self-consistency paths as parallel requests with derived
 * seeds (results in order, whatever order they finish in), label scoring from `top_logprobs`. llama-server's
 * extensions (token ids, `/tokenize`, `/apply-template`, grammars, slot count) are used when `/props` shows it.
 */
export class OpenAiCompatibleBackend implements InferenceBackend {
    readonly capabilities: BackendCapabilities;

    private constructor(private readonly connection: ServerConnection, private readonly facts: ServerFacts, private readonly options: OpenAiBackendOptions) {
        const llama = facts.flavor === 'llama.cpp';
        this.capabilities = {
            logprobs: true, topLogprobs: llama ? facts.vocabularySize ?? maxProbabilityAlternatives : 20,
            probabilityView: options.afterSampler ? 'server, after its sampler' : 'raw',
            grammar: llama, jsonSchema: true, multipleCompletions: true, seed: true,
            lora: llama && facts.adapters.length > 0 ? 'server-list' : false,
            tokenize: llama, attention: false, rawPrompt: true, slots: facts.slots,
        };
    }

    /** Connects: checks that every URL answers and serves the model, and reads the slot counts. */
    static async connect(options: OpenAiBackendOptions, signal?: AbortSignal): Promise<OpenAiCompatibleBackend> {
        const connection = new ServerConnection({ ...options, concurrency: 1 });
        let model = options.model;
        let slots = 0;
        let flavor: ServerFlavor = 'llama.cpp';
        let server: string | undefined;
        let adapters: ServerFacts['adapters'] = [];
        let vocabularySize: number | undefined;
        for (const url of connection.urls) {
            const listed = await connection.getJson(url, '/v1/models', signal);
            const served = readModelIds(url, listed);
            model ??= served.length === 1 ? served[0] : undefined;
            if (model === undefined) {
                throw new ServerModelError(url, '', served);
            }
            if (served.length > 0 && !served.includes(model)) throw new ServerModelError(url, model, served);
            vocabularySize ??= readVocabularySize(listed, model);
            const props = await connection.getJson(url, '/props', signal) as Record<string, unknown> | undefined;
            const total = props?.total_slots;
            if (typeof total === 'number' && total > 0) {
                slots += total;
                if (typeof props!.build_info === 'string') server = `llama.cpp ${props!.build_info}`;
            } else {
                flavor = 'generic';
                slots += 1;
            }
            if (flavor === 'llama.cpp' && url === connection.urls[0]) {
                const listedAdapters = await connection.getJson(url, '/lora-adapters', signal).catch(() => undefined);
                if (Array.isArray(listedAdapters)) {
                    adapters = listedAdapters.flatMap(a => typeof a?.id === 'number' && typeof a?.path === 'string' ? [{ id: a.id as number, path: a.path as string }] : []);
                }
            }
        }
        connection.setConcurrency(options.concurrency ?? slots);
        return new OpenAiCompatibleBackend(connection, { flavor, model: model!, slots, server, adapters, vocabularySize }, options);
    }

    /** Requests in flight at once. */
    get concurrency(): number {
        return this.connection.concurrency;
    }

    describe(): BackendDescription {
        return { kind: 'openai-compatible', model: this.facts.model, urls: this.connection.urls, ...(this.facts.server ? { server: this.facts.server } : {}) };
    }

    async chat(request: ChatRequest, options: StreamOptions = {}): Promise<CompletionResult> {
        this.refuseEmbeddedOnly(request);
        return this.generate('/v1/chat/completions', { messages: toOpenAiMessages(request.messages) }, request.sampling, request.lora, options);
    }

    async complete(request: CompletionRequest, options: StreamOptions = {}): Promise<CompletionResult> {
        this.refuseEmbeddedOnly(request);
        return this.generate('/v1/completions', { prompt: request.prompt }, request.sampling, request.lora, options);
    }

    /** Paths as parallel requests, path i seeded with deriveSeed(seed, i) as the embedded runtime seeds them. */
    async chatMany(request: ChatManyRequest, options: { signal?: AbortSignal } = {}): Promise<MultiCompletionResult> {
        this.refuseEmbeddedOnly(request);
        const startedAt = performance.now();
        const seed = request.sampling?.seed ?? randomInt(0, maxSeed);
        const results = await Promise.all(Array.from({ length: request.n }, (_, i) => this.generate(
            '/v1/chat/completions', { messages: toOpenAiMessages(request.messages) },
            { ...request.sampling, seed: deriveSeed(seed, i) }, request.lora, { signal: options.signal }, { afterSampler: true },
        )));
        const ms = performance.now() - startedAt;
        const paths: SampledPath[] = results.map(r => ({
            text: r.text, tokens: r.tokens, stopReason: r.stopReason, seed: r.seed, tokenLogprobs: r.tokenLogprobs,
            meanLogprob: r.tokenLogprobs.length === 0 ? undefined : r.tokenLogprobs.reduce((a, b) => a + b, 0) / r.tokenLogprobs.length,
        }));
        const generatedTokens = results.reduce((sum, r) => sum + r.timing.generatedTokens, 0);
        return {
            paths, seed,
            timing: {
                promptTokens: results[0]?.timing.promptTokens ?? 0, reusedPromptTokens: 0,
                evaluatedPromptTokens: results.reduce((sum, r) => sum + r.timing.promptTokens, 0), generatedTokens, ms,
                timeToFirstTokenMs: Math.min(...results.map(r => r.timing.timeToFirstTokenMs)), tokensPerSecond: ms > 0 ? generatedTokens / (ms / 1000) : 0,
            },
        };
    }

    /**
     * log P(continuation | prompt) from the raw distributions llama-server lists (`n_probs`, before its sampler): one
     * request per distinct continuation prefix, each with the prompt's tokens and that prefix, asking for one token's
     * alternatives. A token outside the list makes the score an upper bound, reported in `bounded`.
     */
    async scoreContinuations(request: ScoreContinuationsRequest, options: { signal?: AbortSignal } = {}): Promise<BackendScoreResult> {
        this.require('tokenize', 'labelScoring');
        if (request.lora !== undefined) this.adapterFields(request.lora);
        const startedAt = performance.now();
        const tokens = await this.scoringTokens(request.prompt, request.continuations, request.addBos, options.signal);
        const promptTokens = tokens.prompt;
        const topK = Math.min(this.options.scoreTopK ?? (this.facts.flavor === 'llama.cpp' ? maxProbabilityAlternatives : 20), this.capabilities.topLogprobs);
        const continuations = request.continuations.map((text, i) => ({ text, tokens: tokens.continuations[i]! }));
        const steps = new Map<string, Promise<{ top: ServerToken['top'] }>>();
        const step = (prefix: number[]) => {
            const key = prefix.join(',');
            let pending = steps.get(key);
            if (!pending) {
                pending = this.generate('/v1/completions', { prompt: [...promptTokens, ...prefix] },
                    { temperature: 0, maxTokens: 1, repeatPenalty: 1, topK: 0, topP: 1, minP: 0, seed: 0 }, request.lora,
                    { signal: options.signal }, { topLogprobs: topK },
                ).then(result => ({ top: result.serverTokens[0]?.top ?? [] }));
                steps.set(key, pending);
            }
            return pending;
        };
        const bounded: BoundedScore[] = [];
        const scores: ContinuationScore[] = await Promise.all(continuations.map(async ({ text, tokens }) => {
            const tokenLogprobs: number[] = [];
            for (const [index, token] of tokens.entries()) {
                const { top } = await step(tokens.slice(0, index));
                const found = top.find(t => t.id === token);
                if (found) { tokenLogprobs.push(found.logprob); continue; }
                // Below every listed alternative: the smallest listed log-probability bounds it from above.
                if (!bounded.some(b => b.text === text)) bounded.push({ text, tokenIndex: index, listed: top.length });
                tokenLogprobs.push(top.length === 0 ? 0 : Math.min(...top.map(t => t.logprob)));
            }
            return { text, tokens, tokenLogprobs, logprob: tokenLogprobs.reduce((a, b) => a + b, 0) };
        }));
        bounded.sort((a, b) => request.continuations.indexOf(a.text) - request.continuations.indexOf(b.text));
        return {
            model: this.facts.model, promptTokens: promptTokens.length, scores, exact: false, logitsSource: 'server', bounded,
            timing: { evaluatedTokens: promptTokens.length + continuations.reduce((sum, c) => sum + Math.max(0, c.tokens.length - 1), 0), ms: performance.now() - startedAt },
        };
    }

    /**
     * Probabilities of generated tokens with up to `topK` alternatives each, as the server reports them (see
     * {@link BackendCapabilities.probabilityView}); a server scores no prompt tokens, so only `generate` > 0 makes sense.
     */
    async tokenProbabilities(request: TokenProbabilitiesRequest, options: { signal?: AbortSignal } = {}): Promise<BackendProbabilitiesResult> {
        if (request.generated !== undefined) throw new BackendCapabilityError('promptProbabilities', this.where(), 'scoring tokens an earlier run generated');
        if ((request.generate ?? 0) < 1) throw new BackendCapabilityError('promptProbabilities', this.where(), 'ask for generated tokens (--generate N)');
        const topK = Math.min(request.topK ?? 10, this.capabilities.topLogprobs);
        const startedAt = performance.now();
        const sampling = { ...request.sampling, maxTokens: request.generate };
        const path = Array.isArray(request.prompt) && typeof request.prompt[0] === 'object' ? '/v1/chat/completions' : '/v1/completions';
        const body = path === '/v1/chat/completions' ? { messages: toOpenAiMessages(request.prompt as ChatMessage[]) } : { prompt: request.prompt };
        const result = await this.generate(path, body, sampling, request.lora, { signal: options.signal }, { topLogprobs: topK, afterSampler: this.options.afterSampler ?? false });
        const tokens: TokenProbability[] = result.serverTokens.map((token, index) => ({
            index, id: token.id ?? -1, source: 'generated', text: token.text, raw: token.text, logprob: token.logprob, entropy: null,
            top: token.top.map(t => ({ id: t.id ?? -1, text: t.text, raw: t.text, logprob: t.logprob })),
        }));
        return {
            model: this.facts.model, tokens, promptPerplexity: null, exact: false, seed: result.seed, stopReason: result.stopReason,
            logitsSource: 'server', view: this.capabilities.probabilityView,
            timing: { promptTokens: result.timing.promptTokens, generatedTokens: result.timing.generatedTokens, ms: performance.now() - startedAt },
        };
    }

    async tokenize(text: string, options: { addBos?: boolean; signal?: AbortSignal } = {}): Promise<number[]> {
        this.require('tokenize', 'tokenize');
        const reply = await this.connection.postJson('/tokenize', { content: text, add_special: options.addBos ?? false, parse_special: false }, options.signal) as { tokens?: unknown };
        if (!Array.isArray(reply?.tokens) || !reply.tokens.every(t => Number.isInteger(t))) throw new ServerResponseError(this.where(), '`/tokenize` did not return a list of token ids');
        return reply.tokens as number[];
    }

    async close(): Promise<void> {
        this.connection.close();
    }

    /** One streamed generation, its text, token ids (when the server gives them) and per-token log-probabilities. */
    private async generate(
        path: '/v1/chat/completions' | '/v1/completions', prompt: Record<string, unknown>, requested: SamplingOptions | undefined,
        lora: LoraAdapterSpec[] | undefined, options: StreamOptions, extra: { topLogprobs?: number; afterSampler?: boolean } = {},
    ): Promise<CompletionResult & { tokenLogprobs: number[]; serverTokens: ServerToken[] }> {
        const sampling = validateSampling(requested);
        if (sampling.grammar !== undefined && !this.capabilities.grammar) throw new BackendCapabilityError('grammar', this.where());
        const seed = sampling.seed ?? randomInt(0, maxSeed);
        const llama = this.facts.flavor === 'llama.cpp';
        const body: Record<string, unknown> = {
            model: this.facts.model, ...prompt, ...samplingFields(sampling, seed, this.facts.flavor), ...this.adapterFields(lora),
            stream: true, stream_options: { include_usage: true },
        };
        // Token ids come with llama-server's log-probabilities (one alternative costs little); other servers give text only.
        const topLogprobs = extra.topLogprobs ?? (llama ? 1 : 0);
        if (path === '/v1/chat/completions') {
            body.logprobs = true;
            body.top_logprobs = topLogprobs;
        } else {
            body.logprobs = Math.max(1, topLogprobs);
        }
        if (llama) {
            body.n_probs = Math.max(1, topLogprobs);
            body.post_sampling_probs = extra.afterSampler ?? false;
            // A reused prompt cache may evaluate the prompt in other batches than a fresh one: results would depend on what ran before.
            body.cache_prompt = false;
        }
        const startedAt = performance.now();
        let firstTokenAt: number | undefined;
        let text = '';
        const serverTokens: ServerToken[] = [];
        let finishReason: string | undefined;
        let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
        const url = this.where();
        const outcome = await this.connection.postStream(path, body, options.signal, event => {
            if (typeof event.usage === 'object' && event.usage !== null) usage = event.usage as typeof usage;
            const part = readChoice(url, event);
            if (!part) return;
            if (part.text !== '' || part.tokens.length > 0) firstTokenAt ??= performance.now();
            text += part.text;
            serverTokens.push(...part.tokens);
            finishReason = part.finishReason ?? finishReason;
            if (part.text !== '' || part.tokens.length > 0) options.onToken?.({ text: part.text, tokens: part.tokens.flatMap(t => t.id === undefined ? [] : [t.id]) });
        }, () => finishReason !== undefined, () => text);
        const ms = performance.now() - startedAt;
        const generatedTokens = usage?.completion_tokens ?? serverTokens.length;
        const decodeMs = firstTokenAt === undefined ? 0 : performance.now() - firstTokenAt;
        return {
            text, tokens: serverTokens.flatMap(t => t.id === undefined ? [] : [t.id]), seed,
            stopReason: outcome === 'aborted' ? 'aborted' : stopReasonOf(finishReason, sampling.stopSequences.length > 0),
            timing: {
                promptTokens: usage?.prompt_tokens ?? 0, generatedTokens, ms, timeToFirstTokenMs: (firstTokenAt ?? performance.now()) - startedAt,
                tokensPerSecond: decodeMs > 0 ? Math.max(0, generatedTokens - 1) / (decodeMs / 1000) : 0,
            },
            tokenLogprobs: serverTokens.map(t => t.logprob), serverTokens,
        };
    }

    /**
     * A prompt as token ids the way the server would read it (a chat through its template, text with its BOS), and each
     * continuation's tokens as they come after it, the way the model would write them (the prompt's text and the
     * continuation tokenized as one, the prompt's tokens taken off), as the embedded runtime scores them: a word alone
     * may tokenize otherwise than after a turn's opening newline. Token-id prompts, and a joined text that does not keep
     * the prompt's tokens, fall back to the continuation tokenized on its own.
     */
    private async scoringTokens(prompt: ScoreContinuationsRequest['prompt'], continuations: string[], addBos: boolean | undefined, signal?: AbortSignal): Promise<{ prompt: number[]; continuations: number[][] }> {
        const alone = () => Promise.all(continuations.map(text => this.tokenize(text, { signal })));
        if (prompt.length > 0 && typeof prompt[0] === 'number') return { prompt: prompt as number[], continuations: await alone() };
        const tokenize = async (text: string) => {
            const reply = await this.connection.postJson('/tokenize', { content: text, add_special: addBos ?? true, parse_special: true }, signal) as { tokens?: unknown };
            if (!Array.isArray(reply?.tokens)) throw new ServerResponseError(this.where(), '`/tokenize` did not return a list of token ids');
            return reply.tokens as number[];
        };
        let text: string;
        if (typeof prompt === 'string') {
            text = prompt;
        } else {
            const reply = await this.connection.postJson('/apply-template', { messages: toOpenAiMessages(prompt as ChatMessage[]) }, signal) as { prompt?: unknown };
            if (typeof reply?.prompt !== 'string') throw new ServerResponseError(this.where(), '`/apply-template` did not return a prompt');
            text = reply.prompt;
        }
        const promptTokens = await tokenize(text);
        const inTurn = await Promise.all(continuations.map(async continuation => {
            const joined = await tokenize(text + continuation);
            const keeps = joined.length > promptTokens.length && promptTokens.every((token, i) => joined[i] === token);
            return keeps ? joined.slice(promptTokens.length) : this.tokenize(continuation, { signal });
        }));
        return { prompt: promptTokens, continuations: inTurn };
    }

    /** A request's adapters as llama-server's `lora: [{id, scale}]`, matched by file name to those the server loaded. */
    private adapterFields(lora: LoraAdapterSpec[] | undefined): Record<string, unknown> {
        if (lora === undefined) return {};
        if (this.capabilities.lora !== 'server-list') {
            if (lora.length === 0) return {};
            throw new BackendCapabilityError('lora', this.where());
        }
        const ids = lora.map(adapter => {
            const match = this.facts.adapters.find(a => basename(a.path) === basename(adapter.path));
            if (!match) {
                throw new BackendCapabilityError('lora', this.where(), `${basename(adapter.path)} is not among the server's adapters: ${this.facts.adapters.map(a => basename(a.path)).join(', ')}`);
            }
            return { id: match.id, scale: adapter.scale ?? 1 };
        });
        // Adapters the request leaves out are switched off for it, as the embedded runtime's per-request set replaces the model's.
        return { lora: this.facts.adapters.map(a => ids.find(i => i.id === a.id) ?? { id: a.id, scale: 0 }) };
    }

    /** Refuses the options only the embedded runtime has, by name. */
    private refuseEmbeddedOnly(request: { speculative?: unknown; sampling?: SamplingOptions }): void {
        if (request.speculative !== undefined) throw new BackendCapabilityError('speculative', this.where());
        if (request.sampling?.watermark !== undefined) throw new BackendCapabilityError('watermark', this.where());
    }

    private require(capability: 'tokenize', feature: BackendFeature): void {
        if (!this.capabilities[capability]) throw new BackendCapabilityError(feature, this.where());
    }

    private where(): string {
        return this.connection.urls.length === 1 ? this.connection.urls[0]! : this.connection.urls.join(', ');
    }
}

/** Our roles as OpenAI's (`model` is `assistant`). */
function toOpenAiMessages(messages: ChatMessage[]): { role: string; content: string }[] {
    return messages.map(m => ({ role: m.role === 'model' ? 'assistant' : m.role, content: m.text }));
}

/** llama-server's `meta.n_vocab` of the model's `/v1/models` entry. */
function readVocabularySize(listed: unknown, model: string): number | undefined {
    const data = (listed as { data?: { id?: unknown; meta?: { n_vocab?: unknown } }[] } | undefined)?.data;
    const vocabulary = data?.find(m => m.id === model)?.meta?.n_vocab;
    return typeof vocabulary === 'number' && Number.isInteger(vocabulary) && vocabulary > 0 ? vocabulary : undefined;
}

function readModelIds(url: string, listed: unknown): string[] {
    if (listed === undefined) return [];
    const data = (listed as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new ServerResponseError(url, '`/v1/models` has no `data` list');
    return data.flatMap(m => typeof m?.id === 'string' ? [m.id as string] : []);
}
