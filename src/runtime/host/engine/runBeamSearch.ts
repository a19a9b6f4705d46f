import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { BeamSearchResult, LoraAdapterSpec } from '../../../shared/runtimeApi';
import { maxBeams } from '../../../shared/runtimeApi';
import { AddonUnavailableError } from '../../../shared/errors/AddonUnavailableError';
import { ContextOverflowError } from '../../../shared/errors/ContextOverflowError';
import { beamSearch, type BeamCandidate, type BeamHypothesis } from '../../../core/decoding/beamSearch';
import type { LoadedModel } from './LoadedModel';
import { addonUnavailableReason, copyNativeSequence, decodeNativeStep, removeNativeSequence } from './llamaExtrasAddon';
import { forgetNativeCells, nativeSequencePlace } from './nativeDecodeLoop';

export interface BeamSearchJob {
    tokens: Token[];
    beams: number;
    maxTokens: number;
    lengthPenalty: number;
    nBest: number;
    exact: boolean;
    lora?: readonly Required<LoraAdapterSpec>[];
    signal?: AbortSignal;
    startedAt: number;
}

/** The context label of beam search: k sequences of one unified KV stream (contextHook.cc). */
export const beamSearchContextLabel = 'beam-search';

/**
 * Beam search on k sequences of one context, driven step by step through the addon's decodeStep: every open beam's
 * newest token is evaluated in one batch and reduced to its top k + |end tokens| raw log-probabilities (sequenceStep.cc,
 * rowStatistics.cc), the core's beamSearch picks the next beams, and the sequences follow: a beam's first child keeps its
 * parent's sequence, the others fork it (llama_memory_seq_cp: shared cells, no copy), and a sequence whose beam died is
 * emptied for reuse. The prompt is evaluated once, on the first sequence. Exact by default (F32 KV, no flash attention).
 */
export async function runBeamSearch(loaded: LoadedModel, job: BeamSearchJob): Promise<BeamSearchResult> {
    const { tokens, beams: k } = job;
    if (tokens.length === 0) throw new RangeError('The prompt is empty: give some text (or token ids) to search from.');
    if (!Number.isInteger(k) || k < 1 || k > maxBeams) throw new RangeError(`beams must be a whole number from 1 to ${maxBeams}, got ${k}`);
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
            const slots = sequences.map(sequence => nativeSequencePlace(sequence).sequenceId);
            // The sequence holding each open beam's cells (all its tokens but the newest, which the next step evaluates).
            let slotOf = new Map<string, number>([['', slots[0]!]]);
            let decodeCalls = 0;
            const topK = k + endTokens.size;

            const expand = async (open: readonly BeamHypothesis[]): Promise<BeamCandidate[][]> => {
                const assigned = assignSlots(open, slotOf, slots, contextId);
                const entries = open.map((beam, i) => ({
                    sequenceId: assigned[i]!,
                    position: tokens.length - 1 + beam.tokens.length,
                    token: beam.tokens.at(-1) ?? tokens.at(-1)!,
                    output: true,
                }));
                const step = await decodeNativeStep(contextId, entries, topK);
                decodeCalls += step.decodeCalls;
                slotOf = new Map(open.map((beam, i) => [beam.tokens.join(','), assigned[i]!]));
                return open.map((_, i) => Array.from({ length: step.k }, (_, j) => ({
                    token: step.topIds[i * step.k + j]!,
                    logprob: step.topLogprobs[i * step.k + j]!,
                })));
            };
            const outcome = await beamSearch({
                beams: k, maxTokens: job.maxTokens, lengthPenalty: job.lengthPenalty, nBest: job.nBest, endTokens, expand, signal,
            });
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
                timing: { decodeCalls, ms: performance.now() - job.startedAt },
            };
        } finally {
            // The cells the steps added are unknown to node-llama-cpp's record of its sequences: drop them all.
            for (const sequence of sequences) {
                removeNativeSequence(contextId, nativeSequencePlace(sequence).sequenceId);
                forgetNativeCells(sequence);
                context.releaseSequence(sequence);
            }
        }
    });
}

/**
 * Which sequence each open beam's newest token is evaluated in. A beam's parent (its tokens but the last) holds the
 * cells in `slotOf`; the parent's first child takes that sequence over, every further child gets a sequence freed by
 * a beam that died, emptied and given a copy of the parent's cells.
 */
function assignSlots(open: readonly BeamHypothesis[], slotOf: ReadonlyMap<string, number>, slots: readonly number[], contextId: number): number[] {
    const parentSlot = (beam: BeamHypothesis) => {
        const slot = slotOf.get(beam.tokens.slice(0, -1).join(','));
        if (slot === undefined) throw new Error(`beam search lost the sequence of a beam's parent (${beam.tokens.slice(0, -1).join(' ')})`);
        return slot;
    };
    const taken = new Set<number>();
    const assigned: (number | undefined)[] = open.map(beam => {
        const slot = parentSlot(beam);
        if (taken.has(slot)) return undefined;
        taken.add(slot);
        return slot;
    });
    const free = slots.filter(slot => !taken.has(slot));
    for (const slot of free) removeNativeSequence(contextId, slot);
    return assigned.map((slot, i) => {
        if (slot !== undefined) return slot;
        const target = free.shift();
        if (target === undefined) throw new Error('beam search ran out of sequences');
        copyNativeSequence(contextId, parentSlot(open[i]!), target);
        return target;
    });
}
