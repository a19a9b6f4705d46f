import type { JSONSchema } from 'dotprompt';
import { checkConfig } from './config/checkConfig';
import { grammarDiagnostics, grammarSchemaIssues } from './config/checkGrammar';
import { checkFrontMatter } from './checkFrontMatter';
import { filePartials } from './filePartials';
import { issueDiagnostic } from './issueDiagnostic';
import { noPartials, type PartialLookup } from './PartialLookup';
import type { PromptDiagnostic } from './PromptDiagnostic';
import type { PromptDocument } from './PromptDocument';
import { convertSchema } from './schema/convertSchema';
import { validateInput } from './schema/validateInput';
import { readPromptscopeSettings } from './settings/readPromptscopeSettings';
import { checkTemplate, nulHint, type UsedVariable } from './template/checkTemplate';

export interface AnalyzePromptOptions {
    /** Where `{{> name}}` partials come from. Defaults to `_name.prompt` files beside the prompt (none for a prompt without a path). */
    partials?: PartialLookup;
    /** Named schemas Picoschema may refer to. Defaults to none. */
    schemas?: Record<string, JSONSchema>;
}

/**
 * Every problem in a `.prompt` file, positioned for the editor: YAML errors, Dotprompt key shapes,
 * unknown or out-of-range `config`, GBNF `config.grammar` (and a grammar beside `output.schema`), `promptscope.*`
 * settings, input/output schemas and defaults,
 * template syntax, helpers, partials, and variables the body reads without declaring them.
 * Never throws; nothing is rendered and no model is needed.
 */
export async function analyzePrompt(doc: PromptDocument, options: AnalyzePromptOptions = {}): Promise<PromptDiagnostic[]> {
    const diagnostics: PromptDiagnostic[] = [];
    const nul = doc.text.indexOf('\0');
    if (nul >= 0) {
        // Nothing after a NUL means what it seems (YAML and Handlebars read it as text; a tokenizer may stop there).
        const at = doc.lines.positionAt(nul);
        diagnostics.push({
            range: doc.lines.range(nul, nul + 1), severity: 'error', code: 'nul-character',
            message: `The prompt holds a NUL byte at line ${at.line + 1}, column ${at.character + 1}: ${nulHint}`,
        });
        return diagnostics;
    }
    const frontMatterProblems = doc.frontMatterProblems();
    for (const problem of frontMatterProblems) {
        diagnostics.push({ range: doc.lines.range(problem.start, problem.end), severity: problem.severity, code: problem.code, message: problem.message });
    }
    const frontMatterReadable = !frontMatterProblems.some(p => p.severity === 'error');

    const lookup = options.partials ?? (doc.path === undefined ? noPartials : filePartials(doc.path));
    // Partials that cannot be read come back as diagnostics: analysis never throws.
    const template = await checkTemplate(doc, lookup);
    diagnostics.push(...template.diagnostics);
    if (!frontMatterReadable) return sortDiagnostics(diagnostics);

    const data = doc.frontMatterData();
    const issues = [...checkFrontMatter(data), ...checkConfig(data.config).issues, ...grammarSchemaIssues(data), ...readPromptscopeSettings(data).issues];
    diagnostics.push(...issues.map(issue => issueDiagnostic(doc, issue)), ...grammarDiagnostics(doc, data));

    const input = isMapping(data.input) ? data.input : undefined;
    const output = isMapping(data.output) ? data.output : undefined;
    let inputSchema: unknown;
    if (input?.schema != null) {
        const conversion = await convertSchema(doc, 'input', input.schema, options.schemas);
        if (conversion.ok) inputSchema = conversion.jsonSchema;
        else diagnostics.push({ range: conversion.range ?? doc.lines.range(0, 0), severity: 'error', code: 'input-schema', message: conversion.message });
    }
    if (output?.schema != null) {
        const conversion = await convertSchema(doc, 'output', output.schema, options.schemas);
        if (!conversion.ok) diagnostics.push({ range: conversion.range ?? doc.lines.range(0, 0), severity: 'error', code: 'output-schema', message: conversion.message });
    }

    const defaults = isMapping(input?.default) ? input.default : undefined;
    if (defaults !== undefined && isObjectSchema(inputSchema)) {
        for (const issue of validateInput(defaults, inputSchema)) {
            if (issue.kind === 'missing') continue;
            diagnostics.push(issueDiagnostic(doc, {
                path: ['input', 'default', ...issue.path],
                at: issue.kind === 'additional' ? 'key' : 'value',
                severity: issue.kind === 'additional' ? 'warning' : 'error',
                code: 'invalid-default',
                message: issue.message.replace(/^Input/, 'Default').replace(/^The input/, 'The default'),
            }));
        }
    }

    if (input?.schema != null || defaults !== undefined) {
        diagnostics.push(...undeclaredVariables(template.variables, inputSchema, input?.schema != null, defaults));
    }
    return sortDiagnostics(diagnostics);
}

/** Variables the body reads that neither the schema nor the defaults declare. */
function undeclaredVariables(
    variables: UsedVariable[],
    schema: unknown,
    hasSchema: boolean,
    defaults: Record<string, unknown> | undefined,
): PromptDiagnostic[] {
    // A schema that failed to convert, or one that is not an object, cannot tell which names are declared.
    if (hasSchema && !isObjectSchema(schema)) return [];
    const object = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown } | undefined;
    if (object?.additionalProperties !== undefined && object.additionalProperties !== false) return [];
    const declared = new Set([...Object.keys(object?.properties ?? {}), ...Object.keys(defaults ?? {})]);
    const seen = new Set<string>();
    const out: PromptDiagnostic[] = [];
    for (const variable of variables) {
        if (declared.has(variable.name)) continue;
        const key = `${variable.name}@${variable.range.start.line}:${variable.range.start.character}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const where = hasSchema ? 'input.schema' : 'input.default';
        out.push({
            range: variable.range,
            severity: 'warning',
            code: 'undeclared-variable',
            subject: variable.name,
            message: variable.viaPartial === undefined
                ? `\`${variable.name}\` is not declared in ${where}: it renders empty unless passed as an input.`
                : `Partial \`${variable.viaPartial}\` reads \`${variable.name}\`, which is not declared in ${where}.`,
        });
    }
    return out;
}

function isObjectSchema(schema: unknown): boolean {
    const type = (schema as { type?: unknown } | null | undefined)?.type;
    return type === 'object' || (Array.isArray(type) && type.includes('object'));
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sortDiagnostics(diagnostics: PromptDiagnostic[]): PromptDiagnostic[] {
    return diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}
