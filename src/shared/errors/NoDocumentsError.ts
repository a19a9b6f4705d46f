/** A folder to index that holds no document the include and exclude globs select. */
export class NoDocumentsError extends Error {
    /** The folder. */
    readonly folder: string;
    /** The globs that selected nothing. */
    readonly include: readonly string[];
    readonly exclude: readonly string[];

    constructor(folder: string, selection: { include: readonly string[]; exclude: readonly string[] }, skipped: number) {
        const list = (patterns: readonly string[]) => patterns.map(p => JSON.stringify(p)).join(', ');
        super(`Nothing to index in ${folder}: no file with text matches include ${list(selection.include)}`
            + `${selection.exclude.length > 0 ? ` outside exclude ${list(selection.exclude)}` : ''}`
            + `${skipped > 0 ? ` (${skipped} other file${skipped === 1 ? '' : 's'} skipped)` : ''}. `
            + 'Point it at a folder of documents, or widen the globs (--include / --exclude, or the promptscope.retrieval.include / .exclude settings).');
        this.name = 'NoDocumentsError';
        this.folder = folder;
        this.include = selection.include;
        this.exclude = selection.exclude;
    }
}
