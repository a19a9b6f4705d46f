/** A folder to index that holds no document of the kinds indexed. */
export class NoDocumentsError extends Error {
    /** The folder. */
    readonly folder: string;
    /** File name endings that are indexed, e.g. `.md`. */
    readonly extensions: readonly string[];

    constructor(folder: string, extensions: readonly string[], skipped: number) {
        super(`Nothing to index in ${folder}: it holds no ${extensions.join(', ')} file with text${skipped > 0 ? ` (${skipped} other file${skipped === 1 ? '' : 's'} skipped)` : ''}. `
            + 'Point it at a folder of text or markdown documents.');
        this.name = 'NoDocumentsError';
        this.folder = folder;
        this.extensions = extensions;
    }
}
