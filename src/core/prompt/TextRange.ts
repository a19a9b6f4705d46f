/** A place in a document: zero-based line and UTF-16 character, as VS Code and LSP count them. */
export interface TextPosition {
    line: number;
    character: number;
}

/** A half-open span of a document. */
export interface TextRange {
    start: TextPosition;
    end: TextPosition;
}
