import type { LlamaContext } from 'node-llama-cpp';

interface QueuedDecode {
    sequenceId: number;
}

/**
 * node-llama-cpp's queue of pending decodes, kept in increasing sequence id (stable among equal ids): every `push`
 * inserts after the last entry of a lower or equal id. node-llama-cpp only pushes and splices this queue.
 */
class SequenceOrderedQueue extends Array<QueuedDecode> {
    override push(...items: QueuedDecode[]): number {
        for (const item of items) {
            let index = this.length;
            while (index > 0 && this[index - 1]!.sequenceId > item.sequenceId) index--;
            super.splice(index, 0, item);
        }
        return this.length;
    }
}

/**
 * Makes a multi-sequence context put the tokens of concurrent evaluations into each batch in increasing sequence id.
 * node-llama-cpp 3.22.1 creates contexts with one KV stream per sequence (`kv_unified = false`), and llama.cpp then
 * puts into one micro-batch only sequences of consecutive increasing ids (`split_equal`, sequential): tokens queued in
 * any other order are decoded one graph per sequence. Measured on the 100m fixture with 8 self-consistency paths: a
 * step of 8 tokens took 3× longer whenever the paths happened to queue out of order (every other request, as the
 * sequence pool hands out the last released sequence first).
 *
 * The queue is node-llama-cpp's internal `_queuedDecodes` (the package is pinned to that exact version); this is the
 * single place that touches it.
 */
export function batchInSequenceOrder(context: LlamaContext): void {
    const internals = context as unknown as { _queuedDecodes?: unknown };
    const queue = internals._queuedDecodes;
    if (!Array.isArray(queue)) {
        throw new Error('This node-llama-cpp version has no LlamaContext._queuedDecodes; Promptscope needs node-llama-cpp 3.22.1.');
    }
    const ordered = new SequenceOrderedQueue();
    ordered.push(...(queue as QueuedDecode[]));
    internals._queuedDecodes = ordered;
}
