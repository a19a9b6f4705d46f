/**
 * The reasoning trace of one strategy run: what `promptscope run --json` and `eval --json` print as `trace`, what the
 * editor's Run shows in its output document and trace panel, and what the dataset evaluation panel shows per row.
 * One shape for every strategy: a forest of typed nodes (one root per path, chain, search, program or variant), so a
 * single renderer draws them all. Plain data: it crosses postMessage and goes into exports.
 */

export type TraceNodeKind =
    /** direct: the generated text; cot: the answer turn. */
    | 'output'
    /** cot: the reasoning turn. */
    | 'reasoning'
    /** self-consistency: one sampled path. */
    | 'path'
    /** ensemble: one prompt variant's generation. */
    | 'variant'
    /** self-ask: one chain of follow-ups. */
    | 'chain'
    /** self-ask: a follow-up question the model asked. */
    | 'followUp'
    /** self-ask: a follow-up's answer, by the model or by retrieval (then `passage` says where it was found). */
    | 'intermediate'
    /** self-ask: the text holding the final answer; tree-of-thought: the turn that asked for it. */
    | 'final'
    /** tree-of-thought: one whole search. */
    | 'search'
    /** tree-of-thought: one candidate step, with its value, kept or pruned. */
    | 'thought'
    /** program-aided: one generated program. */
    | 'program'
    /** program-aided: what the program printed. */
    | 'printed'
    /** program-aided: why the program failed. */
    | 'error';

/**
 * `best` thoughts form the state the answer came from. Breadth-first: a `kept` thought was carried to the next step,
 * a `pruned` one fell out of the beam. Depth-first: a `backtracked` thought was visited but the search left it (a
 * dead end, or no answer under it), a `pruned` one was valued below the threshold, an `unexplored` one was above it
 * but the search ended before reaching it.
 */
export type TraceThoughtStatus = 'kept' | 'pruned' | 'best' | 'backtracked' | 'unexplored';

/** The mark each status shows before a thought, in the trace's text and in its panel alike. */
export const traceStatusMarks: Record<TraceThoughtStatus, string> = { best: '★', kept: '✓', pruned: '✗', backtracked: '↩', unexplored: '○' };

export interface TraceNode {
    /** Unique in its trace and stable across renders: the indices from the root, dot-separated ("0.2.1"). */
    id: string;
    kind: TraceNodeKind;
    /** One line naming the node (model text included: it is only ever rendered as text). */
    title: string;
    /** The full text the node holds (a path's text, a program's code, a follow-up's answer…). */
    text?: string;
    /** Path, chain, search, program or variant: its mapped answer (null: unmapped). */
    answer?: string | null;
    /** Thought: the evaluator's value, 0…1. */
    value?: number;
    status?: TraceThoughtStatus;
    /** Thought of a depth-first search: the order in which the search visited it, 1 first. */
    visit?: number;
    /** Intermediate answered by retrieval: the passage and its score. */
    passage?: { file: string; startLine: number; endLine: number; score: number };
    /** Program: why it failed. */
    failure?: { kind: string; message: string };
    /** Path or chain: its sampling seed. */
    seed?: number;
    children: TraceNode[];
}

export interface TraceVote {
    /** Answer → paths (chains, searches, programs, variants) that gave it. */
    votes: Record<string, number>;
    agreement: number;
    tie: boolean;
    tied: string[];
    unmapped: number;
    weighting: 'count' | 'probability';
    /** Answer → summed weight, under `probability`. */
    weights?: Record<string, number>;
}

export type TraceStrategy = 'direct' | 'cot' | 'self-consistency' | 'ensemble' | 'program-aided' | 'tree-of-thought' | 'self-ask';

export interface ReasoningTrace {
    strategy: TraceStrategy;
    /** The answer that counts; null when none or unmapped. */
    answer: string | null;
    /** Present when several paths voted. */
    vote?: TraceVote;
    /** One root per path, chain, search, program or variant (direct and cot: their turns). */
    roots: TraceNode[];
}
