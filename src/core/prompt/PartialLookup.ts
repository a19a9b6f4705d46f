/** A partial's source, and where it came from (for error messages and positions). */
export interface PartialSource {
    name: string;
    text: string;
    /** The `_name.prompt` file, when the partial came from disk. */
    path?: string;
}

/**
 * Finds the partial `{{> name}}` refers to, or `undefined` when there is none. Synchronous so that editor
 * diagnostics can call it on every keystroke without awaiting the file system.
 */
export type PartialLookup = (name: string) => PartialSource | undefined;

/** Partials from memory: tests, the spec suite, or an editor's unsaved buffers. */
export function memoryPartials(partials: Record<string, string>): PartialLookup {
    return name => Object.hasOwn(partials, name) ? { name, text: partials[name]! } : undefined;
}

/** Tries each lookup in turn; the first that knows the partial wins. */
export function chainPartials(...lookups: PartialLookup[]): PartialLookup {
    return name => {
        for (const lookup of lookups) {
            const found = lookup(name);
            if (found !== undefined) return found;
        }
        return undefined;
    };
}

/** A lookup that knows no partials. */
export const noPartials: PartialLookup = () => undefined;
