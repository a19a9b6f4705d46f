import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** File name endings indexed by default: text and markdown. */
export const defaultDocumentExtensions: readonly string[] = ['.md', '.markdown', '.txt'];

/** Folders never descended into: version control, dependencies, and Promptscope's own state (its indexes included). */
const skippedFolders = new Set(['.git', '.hg', '.svn', 'node_modules', '.promptscope']);

export interface DocumentListing {
    /** Absolute paths, sorted by their path relative to the folder (a stable chunk order for equal inputs). */
    files: string[];
    /** Files of other kinds and symbolic links (never followed: a link could lead outside the workspace). */
    skipped: number;
}

/**
 * The documents under `folder`: regular files whose names end in one of `extensions` (case-insensitive), in every
 * sub-folder but those in {@link skippedFolders}; symbolic links are skipped, not followed.
 */
export async function listDocuments(folder: string, extensions: readonly string[] = defaultDocumentExtensions): Promise<DocumentListing> {
    const wanted = extensions.map(e => e.toLowerCase());
    const files: string[] = [];
    let skipped = 0;
    const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true });
        for (const entry of entries) {
            const path = join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!skippedFolders.has(entry.name)) await walk(path);
            } else if (entry.isFile() && wanted.some(e => entry.name.toLowerCase().endsWith(e))) {
                files.push(path);
            } else {
                skipped++;
            }
        }
    };
    const info = await lstat(folder);
    if (!info.isDirectory()) throw Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR' });
    await walk(folder);
    const key = (path: string) => relative(folder, path).split(sep).join('/');
    files.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return { files, skipped };
}
