import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { BeamSearchResult, LoraAdapterSpec } from '../../../shared/runtimeApi';
import { maxBeams } from '../../../shared/runtimeApi';
import { AddonUnavailableError } from '../../../shared/errors/AddonUnavailableError';
import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';
import { DecodingSettingsError } from '../../../shared/errors/DecodingSettingsError';
import { validateBeamSearch } from '../../../core/decoding/beamSearch';
import { beamOutcomeFromNodes, type FlatBeamNode } from '../../../core/decoding/beamTree';
import type { LoadedModel } from './LoadedModel';
import { addonUnavailableReason, nativeBeamSearch, removeNativeSequence, type NativeBeamTree } from './llamaExtrasAddon';
import { forgetNativeCells, nativeSequencePlace } from './nativeDecodeLoop';

export interface BeamSearchJob {
    tokens: Token[];
    beams: number;
    maxTokens: number;
    lengthPenalty: number;
    nBest: number;
    groups: number;
    diversityPenalty: number;
    exact: boolean;
    lora?: readonly Required<LoraAdapterSpec>[];
    signal?: AbortSignal;
    startedAt: number;
}

/** The context label of beam search: k sequences of one unified KV stream (contextHook.cc). */
export const beamSearchContextLabel = 'beam-search';

const kinds = ['kept', 'finished', 'pruned'] as const;

/**
 * Beam search (diverse with groups) on k sequences of one context, the whole search in the addon (beamSearchLoop.cc:
 * src/core/decoding/beamSearch.ts's search step for step, without a return to JavaScript per step): every open beam's
 * newest token is evaluated in one batch and reduced to its top k + |end tokens| raw log-probabilities, the extensions
 * ranked group by group, and the sequences forked (llama_memory_seq_cp: shared cells, no copy) and pruned. The tree
 * comes back and the hypotheses are built from it by the core (beamOutcomeFromNodes). The prompt is evaluated once, on
 * the first sequence. Exact by default (F32 KV, no flash attention).
 */
export async function runBeamSearch(loaded: LoadedModel, job: BeamSearchJob): Promise<BeamSearchResult> {
    const { tokens, beams: k } = job;
    if (tokens.length === 0) throw new RangeError('The prompt is empty: give some text (or token ids) to search from.');
    if (!Number.isInteger(k) || k < 1 || k > maxBeams) throw new DecodingSettingsError('beams', k, `a whole number from 1 to ${maxBeams}`);
    validateBeamSearch(job);
    const unavailable = addonUnavailableReason();
    if (unavailable !== undefined) throw new AddonUnavailableError('beam search', unavailable);
    const context = await loaded.contexts.get({
        lora: job.lora ?? loaded.lora, sequences: k, label: beamSearchContextLabel, flashAttention: false,
        ...(job.exact ? { kvCacheType: 'F32' as const } : {}),
    });
    const contextId = context.nativeContextId;
    if (contextId === undefined) throw new AddonUnavailableError('beam search', 'the native addon does not see this context (its context hook is not installed)');
    const needed = tokens.length + job.maxTokens;
    if (needed > context.contextSize) throw new ContextOverflowError(needed, context.contextSize);
    const endTokens = loaded.endTokens();

    return loaded.withJob(job.signal, async signal => {
        const sequences = await Promise.all(Array.from({ length: k }, () => context.acquireSequence()));
        try {
            for (const sequence of sequences) if (sequence.nextTokenIndex > 0) await sequence.clearHistory();
            const [first] = sequences as [LlamaContextSequence];
            if (tokens.length > 1) await first.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
            signal.throwIfAborted();
            const tree = await nativeBeamSearch(contextId, {
                sequenceIds: sequences.map(sequence => nativeSequencePlace(sequence).sequenceId),
                promptLength: tokens.length, lastPromptToken: tokens.at(-1)!, beams: k, maxTokens: job.maxTokens,
                groups: job.groups, diversityPenalty: job.diversityPenalty, endTokens: [...endTokens],
            }, signal);
            if (tree.cancelled) signal.throwIfAborted();
            const outcome = beamOutcomeFromNodes(flatNodes(tree), { lengthPenalty: job.lengthPenalty, nBest: job.nBest, groups: job.groups });
            return {
                model: loaded.info.name,
                promptTokens: tokens.length,
                hypotheses: outcome.hypotheses.map(h => ({
                    // After the prompt, so a SentencePiece word keeps its leading space.
                    text: loaded.model.detokenize(h.tokens.filter(t => !endTokens.has(t)) as Token[], false, tokens),
                    tokens: h.tokens, tokenLogprobs: h.tokenLogprobs, logprob: h.logprob, score: h.score, finished: h.finished,
                })),
                steps: outcome.steps,
                endTokens: [...endTokens],
                exact: job.exact,
                timing: { decodeCalls: tree.decodeCalls, ms: performance.now() - job.startedAt, decodeMs: tree.decodeMs, loopMs: tree.loopMs },
            };
        } finally {
            // The cells the search added are unknown to node-llama-cpp's record of its sequences: drop them all.
            for (const sequence of sequences) {
                removeNativeSequence(contextId, nativeSequencePlace(sequence).sequenceId);
                forgetNativeCells(sequence);
                context.releaseSequence(sequence);
            }
        }
    });
}

function flatNodes(tree: NativeBeamTree): FlatBeamNode[] {
    return Array.from(tree.step, (step, i) => ({
        step, kind: kinds[tree.kind[i]!]!, parent: tree.parent[i]!, token: tree.token[i]!, group: tree.group[i]!,
        logprob: tree.logprob[i]!, penalty: tree.penalty[i]!, tokenLogprob: tree.tokenLogprob[i]!,
    }));
}
