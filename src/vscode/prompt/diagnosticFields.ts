import type { PromptDiagnostic, TextRange } from '../../core/prompt';

/** VS Code's DiagnosticSeverity values (Error 0, Warning 1, Information 2), restated so this file needs no `vscode`. */
export const severityValue = { error: 0, warning: 1, information: 2 } as const;

/** What a VS Code Diagnostic is made of, without `vscode`, so the mapping is unit-tested. */
export interface DiagnosticFields {
    range: TextRange;
    severity: 0 | 1 | 2;
    message: string;
    code: string;
    source: 'promptscope';
    related?: { path: string; range: TextRange; message: string };
}

/**
 * Maps a core diagnostic onto the editor's fields. Ranges are made valid (never negative, never ending
 * before they start), and a zero-width range is widened by one character so the squiggle is visible.
 * `related` needs a file to point at: the partial's, or else the prompt's own `promptPath`.
 */
export function diagnosticFields(diagnostic: PromptDiagnostic, promptPath: string | undefined): DiagnosticFields {
    const fields: DiagnosticFields = {
        range: visibleRange(diagnostic.range),
        severity: severityValue[diagnostic.severity],
        message: diagnostic.message,
        code: diagnostic.code,
        source: 'promptscope',
    };
    const relatedPath = diagnostic.related?.path ?? promptPath;
    if (diagnostic.related !== undefined && relatedPath !== undefined) {
        fields.related = { path: relatedPath, range: visibleRange(diagnostic.related.range), message: diagnostic.related.message };
    }
    return fields;
}

function visibleRange(range: TextRange): TextRange {
    const start = { line: Math.max(0, range.start.line), character: Math.max(0, range.start.character) };
    let end = { line: Math.max(0, range.end.line), character: Math.max(0, range.end.character) };
    if (end.line < start.line || (end.line === start.line && end.character < start.character)) end = { ...start };
    if (end.line === start.line && end.character === start.character) end = { line: start.line, character: start.character + 1 };
    return { start, end };
}
