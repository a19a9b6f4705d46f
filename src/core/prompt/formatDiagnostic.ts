import type { PromptDiagnostic } from './PromptDiagnostic';

/**
 * `FILE:LINE:COLUMN: SEVERITY: MESSAGE` (1-based), the line the CLI prints to stderr and the editor writes to its log
 * for a problem that does not stop a run, so both say the same thing in the same words.
 */
export function formatDiagnostic(diagnostic: PromptDiagnostic, file: string | undefined): string {
    const { line, character } = diagnostic.range.start;
    return `${file ?? '<prompt>'}:${line + 1}:${character + 1}: ${diagnostic.severity}: ${diagnostic.message}`;
}
