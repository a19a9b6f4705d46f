import { isAbsolute, relative, sep } from 'node:path';
import type { DocumentMatcher } from './compileDocumentSelection';

/** What a file-system event says about a path: a file created or changed, a folder created, or something deleted. */
export type ChangeKind = 'file' | 'folder' | 'deleted';

/** An index as a watcher sees it: what it selects and what it holds. */
export interface WatchedDocuments {
    /** Absolute path of the indexed folder. */
    folder: string;
    matcher: DocumentMatcher;
    /** The indexed files, relative to `folder`, `/`-separated. */
    files: ReadonlySet<string>;
}

/**
 * Whether an event at `path` (absolute) can change what the index holds, so that an update is worth its cost: a
 * selected file created or changed; a folder created where documents may be (a checkout or a copy can report the
 * folder alone); a selected file deleted, or a folder that held indexed files (one event for the whole folder).
 * Paths outside the folder, in skipped or excluded folders (the index's own `.promptscope` among them) are not.
 */
export function changeConcernsIndex(index: WatchedDocuments, path: string, kind: ChangeKind): boolean {
    const fromFolder = relative(index.folder, path);
    if (fromFolder === '' || fromFolder === '..' || fromFolder.startsWith(`..${sep}`) || isAbsolute(fromFolder)) return false;
    const rel = fromFolder.split(sep).join('/');
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) if (index.matcher.skipsFolder(parts.slice(0, i).join('/'))) return false;
    switch (kind) {
        case 'file':
            return index.matcher.selects(rel);
        case 'folder':
            return !index.matcher.skipsFolder(rel);
        case 'deleted': {
            if (index.matcher.selects(rel) || index.files.has(rel)) return true;
            const prefix = `${rel}/`;
            for (const file of index.files) if (file.startsWith(prefix)) return true;
            return false;
        }
    }
}
