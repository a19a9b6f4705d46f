/** Where an inline suggestion was shown, or where the editor asks for one now. */
export interface SuggestionPlace {
    /** The document, e.g. its URI. */
    document: string;
    /** The document's version (it changes with every edit). */
    version: number;
    /** The document's whole text. */
    text: string;
    /** The cursor, as an offset in `text`. */
    offset: number;
    /**
     * Everything else the suggestion was made with (settings, model), as one comparable string: a suggestion is
     * never served under a different one.
     */
    context: string;
}

/**
 * The last inline suggestion shown, so that typing its next characters is answered from memory instead of a new
 * model call: while the user types exactly what the ghost text says, the rest of it is still the model's answer
 * (the same greedy completion of the same text). Anything else forgets it: a character the suggestion does not
 * continue with, another document, a cursor moved without typing, an edit elsewhere, a changed setting or model.
 *
 * Pure: the editor hands in the text and cursor, so the unit tests and the benchmark use exactly this code.
 */
export class SuggestionMemory {
    private shown: { place: SuggestionPlace; suggestion: string } | undefined;

    /** Remembers `suggestion` as shown at `place`; an empty one forgets instead. */
    remember(place: SuggestionPlace, suggestion: string): void {
        this.shown = suggestion === '' ? undefined : { place, suggestion };
    }

    forget(): void {
        this.shown = undefined;
    }

    /**
     * The part of the remembered suggestion still ahead of the cursor at `place`, when the only change since it was
     * shown is that the user typed its first characters at the cursor (none at all at the very same place and
     * version: the editor asking again). Undefined, with the suggestion forgotten, in every other case, including
     * a suggestion typed to its end (the next one is the model's to make).
     */
    rest(place: SuggestionPlace): string | undefined {
        const shown = this.shown;
        if (shown === undefined) return undefined;
        const typed = typedSince(shown.place, place);
        if (typed === undefined || !shown.suggestion.startsWith(typed) || typed.length === shown.suggestion.length) {
            this.shown = undefined;
            return undefined;
        }
        return shown.suggestion.slice(typed.length);
    }
}

/**
 * The text inserted at `from`'s cursor to reach `to` with the cursor after it, or undefined when `to` is not that
 * (another document or context, a cursor that moved, an edit before or after the inserted text). Compares the text
 * around the cursor, so it costs one pass over the document at most and no diff.
 */
function typedSince(from: SuggestionPlace, to: SuggestionPlace): string | undefined {
    if (to.document !== from.document || to.context !== from.context) return undefined;
    if (to.version === from.version) return to.offset === from.offset ? '' : undefined;
    const typedLength = to.offset - from.offset;
    if (typedLength < 0 || to.text.length !== from.text.length + typedLength) return undefined;
    // Same text before the old cursor and after the new one: the middle is exactly what was typed.
    if (!to.text.startsWith(from.text.slice(0, from.offset)) || !to.text.endsWith(from.text.slice(from.offset))) return undefined;
    return to.text.slice(from.offset, to.offset);
}
