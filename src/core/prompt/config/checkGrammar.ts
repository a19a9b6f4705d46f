import { isScalar } from 'yaml';
import { checkGbnf } from '../../grammar/checkGbnf';
import type { FrontMatterIssue } from '../FrontMatterIssue';
import type { PromptDiagnostic } from '../PromptDiagnostic';
import type { PromptDocument } from '../PromptDocument';
import type { TextRange } from '../TextRange';
import { scalarSourceOffsets } from '../yamlScalarOffsets';

const grammarPath = ['config', 'grammar'] as const;

/**
 * `config.grammar` checked as GBNF with the playground's checker, the problem positioned in the `.prompt` file
 * itself: the grammar's offset followed back through the YAML scalar (quotes, escapes, block indentation), so a
 * mistake on the grammar's third line is flagged on that line of the front matter. A grammar that is not a string
 * is left to `checkConfig`.
 */
export function grammarDiagnostics(doc: PromptDocument, data: Record<string, unknown>): PromptDiagnostic[] {
    const config = data.config;
    if (config === null || typeof config !== 'object' || Array.isArray(config)) return [];
    const grammar = (config as Record<string, unknown>).grammar;
    if (typeof grammar !== 'string') return [];
    const check = checkGbnf(grammar);
    if (check.ok) return [];
    return [{
        range: grammarRange(doc, grammar, check.offset) ?? doc.valueRange(grammarPath) ?? doc.lines.range(0, 0),
        severity: 'error',
        code: 'invalid-grammar',
        subject: 'grammar',
        path: grammarPath,
        // One line, as every diagnostic: a quoted piece of grammar may hold a line break.
        message: `\`config.grammar\` is not valid GBNF: ${check.message.replace(/\r\n|\r|\n/g, '\\n')} (line ${check.line}, column ${check.column} of the grammar).`,
    }];
}

/**
 * `config.grammar` and `output.schema` both constrain the output, and only one can: an error rather than a silent
 * choice. `output.schema` with `format: text` constrains nothing (checkFrontMatter warns about that), so it is no clash.
 */
export function grammarSchemaIssues(data: Record<string, unknown>): FrontMatterIssue[] {
    const config = data.config as Record<string, unknown> | null | undefined;
    const output = data.output as Record<string, unknown> | null | undefined;
    const grammar = isMapping(config) ? config.grammar : undefined;
    const schema = isMapping(output) ? output.schema : undefined;
    if (grammar == null || schema == null || (isMapping(output) && output.format === 'text')) return [];
    return [{
        path: [...grammarPath], at: 'key', severity: 'error', code: 'grammar-and-schema',
        message: '`config.grammar` and `output.schema` both constrain the output: keep one (the schema becomes a grammar itself).',
    }];
}

/** The document range of the grammar's character at `offset` (the end of the grammar points at its last character). */
function grammarRange(doc: PromptDocument, grammar: string, offset: number): TextRange | undefined {
    const node = doc.yamlNodeAt(grammarPath);
    const block = doc.frontMatter;
    if (block === undefined || !isScalar(node) || node.value !== grammar) return undefined;
    const offsets = scalarSourceOffsets(doc.text.slice(block.contentStart, block.closeStart), node);
    if (offsets === undefined || offsets.length === 0) return undefined;
    const at = offsets[Math.min(offset, offsets.length - 1)]!;
    return doc.lines.range(block.contentStart + at, block.contentStart + at + 1);
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
