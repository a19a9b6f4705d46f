import type { LlamaContextSequence } from 'node-llama-cpp';

interface SequenceInternals {
    _copyStateFromOtherSequence?(other: LlamaContextSequence, upToTokenIndex: number): Promise<boolean | undefined>;
}

/**
 * Makes `target` continue from `source`'s first `tokenCount` evaluated tokens without evaluating them again,
 * by copying their KV cells inside the context (self-consistency paths and label scoring share a prompt this
 * way). node-llama-cpp 3.22.1 offers this only as the internal `_copyStateFromOtherSequence`; the package is
 * pinned to that exact version, and this function is the single place that touches it.
 */
export async function copySequenceState(source: LlamaContextSequence, target: LlamaContextSequence, tokenCount = source.nextTokenIndex): Promise<void> {
    if (source === target) return;
    if (source.context !== target.context) throw new Error('KV state can only be copied between sequences of the same context.');
    if (!Number.isInteger(tokenCount) || tokenCount < 0 || tokenCount > source.nextTokenIndex) {
        throw new RangeError(`Cannot copy ${tokenCount} tokens of KV state: the source sequence holds ${source.nextTokenIndex}.`);
    }
    const copy = (target as unknown as SequenceInternals)._copyStateFromOtherSequence;
    if (typeof copy !== 'function') {
        throw new Error('This node-llama-cpp version has no LlamaContextSequence._copyStateFromOtherSequence; Promptscope needs node-llama-cpp 3.22.1.');
    }
    // In a context whose sequences share one KV stream, llama.cpp's copy adds the target's id to the source's cells
    // and keeps whatever cells the target already had: start it empty. (With a stream per sequence the copy replaces
    // the target's stream anyway.)
    if (target.nextTokenIndex > 0) await target.clearHistory();
    const complete = await copy.call(target, source, tokenCount);
    if (complete === false || target.nextTokenIndex !== tokenCount) {
        throw new Error(`Copying KV state between sequences stopped early (${target.nextTokenIndex} of ${tokenCount} tokens).`);
    }
}
