/**
 * Limits the runtime enforces on requests, in one place: the runtime host checks them, and the CLI, the extension and
 * the webview pages state them in flags, messages and forms without restating the numbers.
 */

/** Longest prompt (with any generated tokens after it) an attention map is made for: beyond it the maps are too large to send and draw. */
export const maxAttentionTokens = 512;

/** Most paths of one multi-sample request: each path holds a full context's worth of KV cells. */
export const maxSamplePaths = 64;

/** Most alternatives a token probabilities request lists per position. */
export const maxProbabilityAlternatives = 100;

/** Largest sampling seed: llama.cpp's seeds are unsigned 32-bit integers. */
export const maxSeed = 2 ** 32 - 1;

/**
 * Largest LoRA scale either way: |scale| ≤ 100. An adapter changes a weight by scale · alpha / r · B·A, and it was
 * trained at scale 1: useful strengths lie within a few units of that (a negative scale subtracts the adapter), and
 * a hundredfold delta already drowns the base weights in noise. Far beyond it (1e39 and the like) llama.cpp's f32
 * arithmetic overflows to Infinity and every probability comes out NaN, so larger scales are refused, not run.
 */
export const maxLoraScale = 100;

/**
 * Most CPU threads a model may be given: the runtime refuses more. No machine this runs on has that many cores, and
 * llama.cpp starts one OS thread per requested thread, so a larger number is a typo, not a setting.
 */
export const maxThreads = 1024;

/**
 * Deepest nesting of Handlebars blocks (`{{#if}}`, `{{#each}}`, …) a prompt or partial may have. Handlebars parses,
 * compiles and renders blocks by recursion and overflows the stack at about a thousand levels (fewer on a deeper
 * stack, as in the editor); hand-written templates nest a few levels, so 100 refuses only generated or hostile ones.
 */
export const maxTemplateNesting = 100;

/**
 * The kinds of file the project reads that a workspace (or a user's flag) can name. Each has its own size limit
 * ({@link maxFileBytes}), so a committed multi-gigabyte file, or a link to `/dev/zero`, is refused before it is read.
 */
export type ReadFileKind = 'prompt' | 'partial' | 'variant' | 'dataset' | 'history' | 'grammar' | 'schema' | 'document' | 'index';

/**
 * Largest `.prompt` (or raw text) prompt file: 4 MiB of text is about a million tokens, beyond the context window of
 * any model this runs, so nothing larger could ever run; the editor's diagnostics also stay fast below it.
 */
export const maxPromptFileBytes = 4 * 1024 * 1024;

/** Largest `_name.prompt` partial: its text is pasted into the prompt, so the prompt's own bound applies. */
export const maxPartialFileBytes = maxPromptFileBytes;

/** Largest dataset (`.jsonl`/`.csv`) for an evaluation: 64 MiB is far more rows than a local model evaluates in a day, and parsed rows stay in memory. */
export const maxDatasetFileBytes = 64 * 1024 * 1024;

/**
 * Largest run-history file (`.promptscope/runs/YYYY-MM-DD.jsonl`, one per day) the playground reads back: a record
 * holds the prompt and outputs (a few KiB); 64 MiB is thousands of runs in a day, and the list reads whole files.
 */
export const maxHistoryFileBytes = 64 * 1024 * 1024;

/** Largest GBNF grammar file (`--grammar`): real grammars are a few KiB; 1 MiB leaves room for generated ones (enumerated labels). */
export const maxGrammarFileBytes = 1024 * 1024;

/** Largest JSON schema file: as for grammars, schemas are small, and llama.cpp turns each into a grammar held in memory. */
export const maxSchemaFileBytes = 1024 * 1024;

/**
 * Largest document a retrieval index reads (`promptscope index`): 8 MiB of text is a book of thousands of chunks,
 * each embedded by the model; a larger file is more likely a log or a data dump than a document to retrieve from.
 */
export const maxDocumentFileBytes = 8 * 1024 * 1024;

/**
 * Largest text file of a retrieval index (its manifest and chunks.json): the chunks' text of many documents, read whole
 * by each prompt that retrieves from it.
 */
export const maxIndexFileBytes = 256 * 1024 * 1024;

/** The size limit of each kind of file, in bytes. */
export const maxFileBytes: Readonly<Record<ReadFileKind, number>> = {
    prompt: maxPromptFileBytes,
    partial: maxPartialFileBytes,
    // A variant of an ensemble is a prompt of its own.
    variant: maxPromptFileBytes,
    dataset: maxDatasetFileBytes,
    history: maxHistoryFileBytes,
    grammar: maxGrammarFileBytes,
    schema: maxSchemaFileBytes,
    document: maxDocumentFileBytes,
    index: maxIndexFileBytes,
};

/** How messages name each kind of file. */
export const readFileKindNames: Readonly<Record<ReadFileKind, string>> = {
    prompt: 'prompt file',
    partial: 'partial',
    variant: 'prompt variant',
    dataset: 'dataset',
    history: 'run-history file',
    grammar: 'grammar file',
    schema: 'schema file',
    document: 'document',
    index: 'retrieval index file',
};
