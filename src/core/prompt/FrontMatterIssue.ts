import type { DiagnosticCode } from './PromptDiagnostic';
import type { FrontMatterPath } from './PromptDocument';

/** A problem with a front-matter value, located by its path (e.g. `['config', 'topP']`) rather than by offsets. */
export interface FrontMatterIssue {
    path: FrontMatterPath;
    severity: 'error' | 'warning';
    code: DiagnosticCode;
    message: string;
    /** Whether the key or the value is at fault. Defaults to `"value"`. */
    at?: 'key' | 'value';
    /** Replacement text for the faulty key or value, when one is clearly meant. */
    suggestion?: string;
}
