/**
 * Which files of a folder a retrieval index holds: glob patterns over paths relative to the indexed folder
 * (`/`-separated), matched by picomatch. A file is a document when some `include` pattern matches it and no `exclude`
 * pattern matches it or a folder above it.
 */
export interface DocumentSelection {
    /** Patterns a document matches, e.g. `docs/**\/*.md`; at least one. The default list is {@link defaultInclude}. */
    include: readonly string[];
    /** Patterns of files or folders left out, e.g. `**\/drafts/**`; may be empty. The default list is {@link defaultExclude}. */
    exclude: readonly string[];
}

/**
 * Prose (markdown, reStructuredText, plain text) and the source files of common languages: what a prompt asks about
 * in a workspace. Data and lock files (`.json`, `.yaml`, `.csv`, `package-lock.json`) are left out: they chunk into
 * many passages of punctuation and numbers that crowd the nearest neighbours of a question; add `**\/*.json` to
 * include them.
 */
export const defaultInclude: readonly string[] = [
    '**/*.{md,markdown,rst,txt}',
    '**/*.{ts,tsx,js,jsx,mjs,cjs,py,go,rs,java,kt,c,h,cc,cpp,hpp,cs,rb,php,swift,sh}',
];

/**
 * Build outputs and minified bundles: generated copies of the sources (one bundle can pass the 8 MiB document
 * limit and stop the build), never what a question is about.
 */
export const defaultExclude: readonly string[] = ['**/{dist,out,build,coverage}/**', '**/*.min.js'];

export const defaultDocumentSelection: DocumentSelection = { include: defaultInclude, exclude: defaultExclude };

/** What an index built before selections were recorded held: `promptscope index`'s default endings of that time. */
export const legacyDocumentSelection: DocumentSelection = { include: ['**/*.{md,markdown,txt}'], exclude: [] };

/** `--ext .md,.txt` as include patterns: every file under the folder ending so. */
export function selectionFromExtensions(extensions: readonly string[], exclude: readonly string[] = defaultExclude): DocumentSelection {
    return { include: extensions.map(e => `**/*${e.replace(/[*?[\]{}()!+@\\]/g, '\\$&')}`), exclude };
}

/** `include ["…"], exclude ["…"]`, for messages. */
export function describeSelection(selection: DocumentSelection): string {
    const list = (patterns: readonly string[]) => `[${patterns.map(p => JSON.stringify(p)).join(', ')}]`;
    return `include ${list(selection.include)}${selection.exclude.length > 0 ? `, exclude ${list(selection.exclude)}` : ''}`;
}
