import type { FrontMatterIssue } from './FrontMatterIssue';
import type { PromptDiagnostic } from './PromptDiagnostic';
import type { PromptDocument } from './PromptDocument';
import type { TextRange } from './TextRange';

/** Where a path-located issue is in the document: its key or value, else the nearest enclosing key. */
export function issueRange(doc: PromptDocument, issue: FrontMatterIssue): TextRange | undefined {
    const exact = issue.at === 'key' ? doc.keyRange(issue.path) : doc.valueRange(issue.path);
    return exact ?? doc.closestRange(issue.path);
}

export function issueDiagnostic(doc: PromptDocument, issue: FrontMatterIssue): PromptDiagnostic {
    const range = issueRange(doc, issue) ?? doc.lines.range(0, 0);
    const subject = issue.path.at(-1);
    return {
        range,
        severity: issue.severity,
        code: issue.code,
        message: issue.message,
        path: issue.path,
        ...(subject === undefined ? {} : { subject: String(subject) }),
        ...(issue.suggestion === undefined ? {} : { fix: { title: `Change to \`${issue.suggestion}\``, newText: issue.suggestion } }),
    };
}
