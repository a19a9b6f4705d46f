/** A partial's source, and where it came from (for error messages and positions). */
export interface PartialSource {
    name: string;
    text: string;
    /** The `_name.prompt` file, when the partial came from disk. */
    path?: string;
}

/**
 * Finds the partial `{{> name}}` refers to, or `undefined` when there is none. Asynchronous: partials come from
 * disk, and editor diagnostics look them up on every keystroke, which must never block the extension host on a
 * slow, endless or blocking file (a partial linked to `/dev/zero` or a FIFO). Partials are all looked up before
 * rendering starts (see checkTemplate), so Handlebars gets their text in memory. A partial that exists but
 * cannot be read rejects with the reader's error (NotARegularFileError, FileTooLargeError, the file system's).
 */
export type PartialLookup = (name: string) => Promise<PartialSource | undefined>;

/** Partials from memory: tests, the spec suite, or an editor's unsaved buffers. */
export function memoryPartials(partials: Record<string, string>): PartialLookup {
    return name => Promise.resolve(Object.hasOwn(partials, name) ? { name, text: partials[name]! } : undefined);
}

/** Tries each lookup in turn; the first that knows the partial wins. */
export function chainPartials(...lookups: PartialLookup[]): PartialLookup {
    return async name => {
        for (const lookup of lookups) {
            const found = await lookup(name);
            if (found !== undefined) return found;
        }
        return undefined;
    };
}

/** A lookup that knows no partials. */
export const noPartials: PartialLookup = () => Promise.resolve(undefined);
