import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { deriveSeed } from '../../../core/reasoning/deriveSeed';
import type { SampleManyJob } from './sampleManyPaths';
import { prepareDecode, type DecodeOutcome, type PreparedDecode } from './decodeLoop';
import { startNativeManyGeneration, type NativeManyResult, type NativeStepTokens } from './llamaExtrasAddon';
import { acceptAll, nativeSamplingOptions, nativeSequencePlace, recordEvaluated } from './nativeDecodeLoop';

/** One path's outcome and the log-probability of each token it sampled (the end-of-generation token included). */
export interface PathOutcome {
    outcome: DecodeOutcome;
    logprobs: number[];
}

/** What the native loop needs of sampleManyPaths' job (the context comes as its own argument). */
export type NativePathsJob = Omit<SampleManyJob, 'nativeContextId'>;

/**
 * The paths of sampleManyPaths decoded by the addon's multi-sequence loop (multiSequenceLoop.cc) on `contextId`, the
 * llama.cpp context behind the sequences: each step is one llama_batch with the next token of every live path, each
 * path sampled natively with node-llama-cpp's chain and its own seed (`deriveSeed(seed, i)`), and no JavaScript
 * between steps unless stop sequences must be watched (then each step's tokens come as they are sampled, a path
 * whose text hit one is stopped alone, and the loop waits for that verdict only after tokens that could end one). The sequences must already hold the shared prompt but for its last token, as
 * sampleManyPaths arranges; node-llama-cpp's record of each is brought up to date once the loop has stopped.
 */
export async function decodePathsNatively(sequences: readonly LlamaContextSequence[], job: NativePathsJob, contextId: number): Promise<PathOutcome[]> {
    const { signal } = job;
    const paths = await Promise.all(sequences.map(async (sequence, index) => {
        const seed = deriveSeed(job.seed, index);
        const history = job.tokens.slice();
        const prepared: PreparedDecode = await prepareDecode({
            sequence, promptTokens: job.tokens, evaluateOptions: {}, history, seed, maxTokens: job.sampling.maxTokens,
            stopSequences: job.stopSequences, stopTokens: job.stopTokens, reusePrefix: true, signal, startedAt: job.startedAt,
        });
        return { sequence, seed, history, prepared, place: nativeSequencePlace(sequence), logprobs: [] as number[], done: false };
    }));
    const finish = (path: (typeof paths)[number], settled = Promise.resolve()): PathOutcome => ({
        outcome: {
            result: path.prepared.transcript.finish({ seed: path.seed, startedAt: job.startedAt, reusedPromptTokens: path.prepared.reused, loop: 'native' }),
            settled,
        },
        logprobs: path.logprobs,
    });

    const running = paths.filter(path => path.prepared.limit > 0);
    if (running.length === 0 || signal.aborted) {
        if (signal.aborted) for (const path of paths) path.prepared.transcript.stop('aborted');
        return paths.map(path => finish(path));
    }

    const stream = running.some(path => path.prepared.transcript.needsEveryToken);
    const onStep = (step: NativeStepTokens) => {
        for (let k = 0; k < step.paths.length; k++) {
            const index = step.paths[k]!;
            const path = running[index]!;
            if (path.done) continue;
            path.logprobs.push(step.logprobs[k]!);
            if (!path.prepared.transcript.accept(step.tokens[k] as Token)) {
                path.done = true;
                run.stopSequence(index);
            }
        }
    };
    const run = startNativeManyGeneration(contextId, running.map(path => ({
        ...nativeSamplingOptions(job.sampling, path.seed, path.history),
        ...path.place,
        promptTokens: path.prepared.evalTokens,
        maxTokens: path.prepared.limit,
        stopTokens: job.stopTokens ? [...job.stopTokens] : [],
    })), stream ? onStep : undefined, job.stopSequences);

    let stopEarly!: () => void;
    const early = new Promise<void>(resolve => { stopEarly = resolve; });
    const onAbort = () => {
        for (const path of running) {
            if (!path.done) path.prepared.transcript.stop('aborted');
            path.done = true;
        }
        run.cancel();
        stopEarly();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    // node-llama-cpp's record of each sequence: what the KV cache now holds.
    const settled = run.result.then(outcome => {
        signal.removeEventListener('abort', onAbort);
        running.forEach((path, i) => recordEvaluated(path.sequence, path.place.startPosition, path.prepared.evalTokens, outcome.sequences[i]!));
        return outcome;
    });
    const outcome: NativeManyResult | undefined = await Promise.race([settled, early.then(() => undefined)]);
    if (outcome === undefined) {
        // The loop stops at its next step; the sequences are busy until then.
        const idle = settled.then(() => undefined, () => undefined);
        return paths.map(path => finish(path, idle));
    }
    if (outcome.reason === 'error') throw new Error(`Generation failed in llama.cpp: ${outcome.error ?? 'unknown error'}`);
    running.forEach((path, i) => {
        const result = outcome.sequences[i]!;
        if (!stream) {
            acceptAll(path.prepared.transcript, result);
            path.logprobs.push(...result.logprobs);
        }
        if (result.reason === 'cancelled' && !path.done) path.prepared.transcript.stop('aborted');
    });
    return paths.map(path => finish(path));
}
