import type { BeamSearchResult } from '../../../shared/runtimeApi';
import type { BeamTreeNode } from '../../../shared/runtimeApi';
import type { BeamTreeView, DecodedSequenceView } from '../../../shared/protocols/decodingLab';
import type { DecodedSequence } from '../../decoding/decodeMethod';

/** A decoded sequence as the page shows it: each token with its text and raw log-probability. */
export function sequenceView(sequence: DecodedSequence): DecodedSequenceView {
    return {
        text: sequence.text,
        tokens: sequence.tokens.map((id, i) => ({ id, text: sequence.tokenTexts[i] ?? '', logprob: sequence.tokenLogprobs[i]! })),
        logprob: sequence.logprob,
        perplexity: Number.isFinite(sequence.perplexity) ? sequence.perplexity : null,
        ...(sequence.score !== undefined ? { score: sequence.score } : {}),
        ...(sequence.finished !== undefined ? { finished: sequence.finished } : {}),
    };
}

/** Every token id the tree names (kept, finished and pruned), each once: the pieces to look up for its labels. */
export function treeTokens(beam: BeamSearchResult): number[] {
    const ids = new Set<number>();
    for (const step of beam.steps) for (const node of [...step.kept, ...step.finished, ...step.pruned]) ids.add(node.token);
    return [...ids];
}

/** The runtime's tree with each node's token piece (`pieces` maps a token id to its text). */
export function treeView(beam: BeamSearchResult, pieces: ReadonlyMap<number, string>): BeamTreeView {
    const node = (n: BeamTreeNode) => ({ ...n, text: pieces.get(n.token) ?? '' });
    return {
        steps: beam.steps.map(s => ({ step: s.step, kept: s.kept.map(node), finished: s.finished.map(node), pruned: s.pruned.map(node) })),
        endTokens: beam.endTokens,
        decodeCalls: beam.timing.decodeCalls,
    };
}
