import type { TextRange } from '../TextRange';

/** Where a problem is: the file and, when known, its range. */
export interface PromptErrorLocation {
    /** The `.prompt` (or partial) file. Undefined for prompts rendered from memory. */
    path?: string;
    /** Zero-based range in that file. */
    range?: TextRange;
}

/**
 * Base of every error the `.prompt` pipeline throws. The message starts with `file:line:column:` (1-based,
 * the form terminals and editors turn into links) so a CLI can print it as is.
 */
export class PromptError extends Error {
    readonly path: string | undefined;
    readonly range: TextRange | undefined;
    /** The message without the location prefix. */
    readonly detail: string;

    constructor(detail: string, location: PromptErrorLocation = {}) {
        super(formatLocation(location) + detail);
        this.name = 'PromptError';
        this.detail = detail;
        this.path = location.path;
        this.range = location.range;
    }

    /** 1-based line, when known. */
    get line(): number | undefined {
        return this.range === undefined ? undefined : this.range.start.line + 1;
    }

    /** 1-based column, when known. */
    get column(): number | undefined {
        return this.range === undefined ? undefined : this.range.start.character + 1;
    }
}

function formatLocation({ path, range }: PromptErrorLocation): string {
    const file = path ?? '<prompt>';
    if (range === undefined) return `${file}: `;
    return `${file}:${range.start.line + 1}:${range.start.character + 1}: `;
}
