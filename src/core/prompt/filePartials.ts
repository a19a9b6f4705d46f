import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { PartialLookup } from './PartialLookup';

/**
 * Dotprompt's directory convention: `{{> persona}}` is the file `_persona.prompt` beside the prompt,
 * and `{{> shared/persona}}` is `shared/_persona.prompt`. Names that would leave the prompt's folder
 * (`..`, absolute paths) are not looked up.
 */
export function filePartials(promptPath: string): PartialLookup {
    const folder = dirname(promptPath);
    return name => {
        const file = partialFilePath(folder, name);
        if (file === undefined) return undefined;
        try {
            return { name, text: readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), path: file };
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
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
