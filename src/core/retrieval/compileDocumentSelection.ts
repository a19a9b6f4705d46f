import picomatch from 'picomatch';
import { DocumentSelectionError } from '../../shared/errors/DocumentSelectionError';
import type { DocumentSelection } from './DocumentSelection';

/** Folders never descended into, whatever the globs say: version control, dependencies, Promptscope's own state (its indexes). */
export const skippedFolders: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', 'node_modules', '.promptscope']);

/** A {@link DocumentSelection} ready to test paths relative to the indexed folder, `/`-separated. */
export interface DocumentMatcher {
    /** Whether the file at `path` is a document of the index. */
    selects(path: string): boolean;
    /** Whether nothing under the folder at `path` can be a document: a skipped folder, or one an exclude pattern matches. */
    skipsFolder(path: string): boolean;
}

/** Where the patterns came from, for errors: a flag (`--include`), a setting or front-matter key. Defaults to `include` and `exclude`. */
export interface SelectionKeys {
    include: string;
    exclude: string;
}

/**
 * Case-insensitive, as the file name endings that selected documents before were: `README.MD` is markdown too.
 * Hidden files and folders (`.github/`, `.env`) match only a pattern that names them: they hold settings more often
 * than documents. Unbalanced brackets, braces and parentheses are errors rather than literal characters, so a typo
 * is reported instead of silently matching nothing.
 */
const globOptions: picomatch.PicomatchOptions = { dot: false, nocase: true, strictBrackets: true };

/**
 * Checks and compiles the patterns of `selection`; throws a {@link DocumentSelectionError} naming the key and the
 * pattern for one that is empty, negated (`!…`), absolute, reaches above the folder (`..`) or does not parse.
 */
export function compileDocumentSelection(selection: DocumentSelection, keys: SelectionKeys = { include: 'include', exclude: 'exclude' }): DocumentMatcher {
    if (selection.include.length === 0) {
        throw new DocumentSelectionError(keys.include, 'is empty, so no file would be indexed', 'Give at least one pattern, e.g. "**/*.md".');
    }
    const include = selection.include.map(p => compilePattern(p, keys.include, 'include'));
    const exclude = selection.exclude.map(p => compilePattern(p, keys.exclude, 'exclude'));
    const excluded = (path: string) => exclude.some(m => m(path));
    return {
        selects: path => !path.split('/').some(part => skippedFolders.has(part)) && include.some(m => m(path)) && !excluded(path) && !excludedAbove(path, excluded),
        skipsFolder: path => skippedFolders.has(path.slice(path.lastIndexOf('/') + 1)) || excluded(path),
    };
}

/** Whether an exclude pattern matches a folder above `path` (`drafts` excludes `drafts/a.md`, as in a .gitignore). */
function excludedAbove(path: string, excluded: (path: string) => boolean): boolean {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
        if (excluded(path.slice(0, slash))) return true;
    }
    return false;
}

function compilePattern(raw: string, key: string, list: 'include' | 'exclude'): (path: string) => boolean {
    const fail = (problem: string, fix: string) => new DocumentSelectionError(key, `${JSON.stringify(raw)} ${problem}`, fix, raw);
    const pattern = raw.trim().replace(/^(\.\/)+/, '');
    if (pattern === '') throw fail('is an empty pattern', 'Remove it, or write a glob such as "docs/**/*.md".');
    if (pattern.startsWith('!')) {
        throw fail('is negated, which this list does not support',
            list === 'include' ? 'Put the pattern, without "!", in the exclude list.' : 'Put the pattern, without "!", in the include list.');
    }
    if (pattern.startsWith('/') || pattern.startsWith('~') || /^[A-Za-z]:[\\/]/.test(pattern)) {
        throw fail('is absolute', 'Patterns are relative to the indexed folder: write e.g. "docs/**/*.md" for its docs folder.');
    }
    if (pattern.split(/[\\/]/).includes('..')) {
        throw fail('reaches above the indexed folder with ".."', 'Index the folder above instead, and select its parts with patterns relative to it.');
    }
    try {
        return picomatch(pattern, globOptions);
    } catch (error) {
        throw fail(`does not parse (${(error as Error).message})`, 'Close the bracket, brace or parenthesis, or escape it with a backslash to match it literally.');
    }
}

/**
 * A list of patterns as a setting or front matter gives it: one string or an array of strings. Anything else is a
 * {@link DocumentSelectionError} naming `key`; undefined stays undefined (the default applies).
 */
export function readGlobList(value: unknown, key: string): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every(v => typeof v === 'string')) return value as string[];
    throw new DocumentSelectionError(key, `must be a glob or a list of globs; got ${JSON.stringify(value)}`, 'Write e.g. ["docs/**/*.md", "**/*.txt"].');
}
