import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentMatcher } from './compileDocumentSelection';

export interface DocumentListing {
    /** Absolute paths, sorted by their path relative to the folder (a stable chunk order for equal inputs). */
    files: string[];
    /** Their paths relative to the folder, `/`-separated, in the same order. */
    relativePaths: string[];
    /** Files the selection leaves out, and symbolic links (never followed: a link could lead outside the workspace). */
    skipped: number;
}

/**
 * The documents under `folder`: regular files `matcher` selects, in every sub-folder it does not skip (a skipped
 * folder is not read at all, so `node_modules` costs nothing); symbolic links, to files or folders, are skipped, not
 * followed.
 */
export async function listDocuments(folder: string, matcher: DocumentMatcher): Promise<DocumentListing> {
    const found: { path: string; relative: string }[] = [];
    let skipped = 0;
    const walk = async (dir: string, prefix: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true });
        for (const entry of entries) {
            const relative = prefix + entry.name;
            // Dirent types come from lstat: a link is neither a directory nor a file here.
            if (entry.isDirectory()) {
                if (!matcher.skipsFolder(relative)) await walk(join(dir, entry.name), `${relative}/`);
            } else if (entry.isFile() && matcher.selects(relative)) {
                found.push({ path: join(dir, entry.name), relative });
            } else {
                skipped++;
            }
        }
    };
    const info = await lstat(folder);
    if (!info.isDirectory()) throw Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR' });
    await walk(folder, '');
    found.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
    return { files: found.map(f => f.path), relativePaths: found.map(f => f.relative), skipped };
}
