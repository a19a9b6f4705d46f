import { dirname, isAbsolute, join } from 'node:path';
import { readBoundedText } from '../files/readBoundedText';
import type { PartialLookup } from './PartialLookup';

/**
 * Dotprompt's directory convention: `{{> persona}}` is the file `_persona.prompt` beside the prompt,
 * and `{{> shared/persona}}` is `shared/_persona.prompt`. Names that would leave the prompt's folder
 * (`..`, absolute paths) are not looked up. Read with {@link readBoundedText}: a partial that is not a regular file
 * (a link to `/dev/zero`, a FIFO, a folder) or is over the partial size limit rejects with its error.
 */
export function filePartials(promptPath: string): PartialLookup {
    const folder = dirname(promptPath);
    return async name => {
        const file = partialFilePath(folder, name);
        if (file === undefined) return undefined;
        try {
            return { name, text: (await readBoundedText(file, 'partial')).replace(/^\uFEFF/, ''), path: file };
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
            throw error;
        }
    };
}

/** Where the partial `name` lives relative to `folder`, or undefined for a name that is not a safe relative path. */
export function partialFilePath(folder: string, name: string): string | undefined {
    const segments = name.split('/');
    if (name === '' || isAbsolute(name) || segments.some(s => s === '' || s === '.' || s === '..' || s.includes('\\'))) return undefined;
    const base = segments.pop()!;
    return join(folder, ...segments, `_${base}.prompt`);
}
