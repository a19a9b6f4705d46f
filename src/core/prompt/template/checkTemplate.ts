import { basename } from 'node:path';
import { LineIndex } from '../LineIndex';
import type { PartialLookup, PartialSource } from '../PartialLookup';
import { partialFilePath } from '../filePartials';
import type { PromptDiagnostic } from '../PromptDiagnostic';
import type { PromptDocument } from '../PromptDocument';
import type { TextRange } from '../TextRange';
import { collectReferences, type TemplateReferences, type TemplateSpan } from './collectReferences';
import { chatRoles, dotpromptHelpers, handlebarsHelpers } from './knownHelpers';
import { parseTemplate } from './parseTemplate';

/** A root-input variable the rendered text reads, positioned in the prompt. */
export interface UsedVariable {
    name: string;
    path: string[];
    range: TextRange;
    /** The partial that reads it, when not the prompt's own body. */
    viaPartial?: string;
}

export interface TemplateCheck {
    /** Whether the body parsed. */
    parsed: boolean;
    /** Every partial the body reaches that was found, by name. */
    partials: Map<string, PartialSource>;
    /**
     * Partials that include themselves only under a condition (`{{#if}}`, `{{#each}}`: recursion that can stop), each as
     * its chain, e.g. `['tree', 'node', 'tree']`: when rendering still overflows the stack, the error names them.
     */
    conditionalCycles: string[][];
    variables: UsedVariable[];
    diagnostics: PromptDiagnostic[];
}

const helperList = [...handlebarsHelpers, ...dotpromptHelpers].join(', ');

/**
 * Static checks of a prompt's Handlebars body and of every partial it reaches: syntax errors with positions,
 * unknown, unreadable and self-including partials, unknown helpers, odd roles, and the root variables read.
 * Rendering runs these first, so a template that would fail half-way fails before anything renders; and every
 * partial is looked up (asynchronously) here, so rendering gets them all in memory.
 */
export async function checkTemplate(doc: PromptDocument, lookup: PartialLookup): Promise<TemplateCheck> {
    const result: TemplateCheck = { parsed: false, partials: new Map(), conditionalCycles: [], variables: [], diagnostics: [] };
    const parsed = parseTemplate(doc.template);
    if (!parsed.ok) {
        result.diagnostics.push({
            range: doc.templateRange(parsed.problem.start, parsed.problem.end),
            severity: 'error',
            code: parsed.problem.kind === 'nesting' ? 'template-nesting' : 'template-syntax',
            message: parsed.problem.message,
        });
        return result;
    }
    result.parsed = true;
    const references = collectReferences(parsed.ast, doc.template);
    const at = (span: TemplateSpan) => doc.templateRange(span.start, span.end);

    for (const variable of references.variables) result.variables.push({ name: variable.name, path: variable.path, range: at(variable) });
    for (const problem of helperProblems(references)) {
        result.diagnostics.push({ ...problem, range: at(problem.span) });
    }

    const visited = new Set<string>();
    /** The partials being resolved, outermost first, each with whether it was included under a condition. */
    const chain: { name: string; conditional: boolean }[] = [];
    const resolvePartials = async (
        refs: TemplateReferences,
        inlineNames: ReadonlySet<string>,
        /** The `{{> …}}` in the prompt itself through which these references are reached; undefined for the prompt's own. */
        via: { name: string; range: TextRange; rootContext: boolean; hiddenVariables: ReadonlySet<string> } | undefined,
        /** The partial holding `refs`, for positions inside it. */
        holder: { source: PartialSource; lines: LineIndex } | undefined,
    ): Promise<void> => {
        for (const ref of refs.partials) {
            if (inlineNames.has(ref.name)) continue;
            const range = via?.range ?? at(ref);
            const open = chain.findIndex(link => link.name === ref.name);
            if (open >= 0) {
                const loop = [...chain.slice(open), { name: ref.name, conditional: ref.conditional }];
                const names = loop.map(link => link.name);
                // Every include of the loop but the first (which entered it from outside) runs again on each turn.
                if (loop.slice(1).some(link => link.conditional)) {
                    result.conditionalCycles.push(names);
                } else {
                    const where = holder === undefined ? undefined : relatedIn(holder, ref, `\`{{> ${ref.name}}}\` is here.`);
                    result.diagnostics.push({
                        range,
                        severity: 'error',
                        code: 'partial-cycle',
                        subject: ref.name,
                        chain: names,
                        message: `Partial \`${ref.name}\` includes itself (${names.map(n => `\`${n}\``).join(' → ')}), so it would render forever: `
                            + `remove \`{{> ${ref.name}}}\` from \`${chain.at(-1)!.name}\`, or put it inside an \`{{#if}}\` that ends the recursion.`,
                        ...(where ? { related: where } : {}),
                    });
                }
                continue;
            }
            let source: PartialSource | undefined;
            try {
                source = await lookup(ref.name);
            } catch (error) {
                // A partial that exists but must not or cannot be read (a link to /dev/zero, too large, no permission).
                result.diagnostics.push({
                    range,
                    severity: 'error',
                    code: 'unreadable-partial',
                    subject: ref.name,
                    message: `Partial \`${ref.name}\` cannot be read: ${error instanceof Error ? error.message : String(error)}`,
                });
                continue;
            }
            if (source === undefined) {
                if (ref.block) continue;
                const where = holder === undefined ? undefined : relatedIn(holder, ref, `\`{{> ${ref.name}}}\` is here.`);
                result.diagnostics.push({
                    range,
                    severity: 'error',
                    code: 'unknown-partial',
                    subject: ref.name,
                    message: holder === undefined
                        ? `Partial \`${ref.name}\` not found: ${missingPartialHint(doc, ref.name)}`
                        : `Partial \`${via!.name}\` includes \`{{> ${ref.name}}}\`, which is not found: ${missingPartialHint(doc, ref.name)}`,
                    ...(where ? { related: where } : {}),
                });
                continue;
            }
            if (visited.has(ref.name)) continue;
            visited.add(ref.name);
            result.partials.set(ref.name, source);
            const nul = source.text.indexOf('\0');
            if (nul >= 0) {
                const lines = new LineIndex(source.text);
                const at = lines.positionAt(nul);
                result.diagnostics.push({
                    range,
                    severity: 'error',
                    code: 'nul-character',
                    subject: ref.name,
                    message: `Partial \`${ref.name}\` holds a NUL byte at line ${at.line + 1}, column ${at.character + 1}: ${nulHint}`,
                    related: { path: source.path, range: lines.range(nul, nul + 1), message: 'The NUL byte is here.' },
                });
                continue;
            }

            const partialParse = parseTemplate(source.text);
            const lines = new LineIndex(source.text);
            if (!partialParse.ok) {
                result.diagnostics.push({
                    range,
                    severity: 'error',
                    code: partialParse.problem.kind === 'nesting' ? 'template-nesting' : 'partial-syntax',
                    message: `Partial \`${ref.name}\` ${partialParse.problem.kind === 'nesting' ? 'nests too deeply' : 'does not parse'}: ${partialParse.problem.message}`,
                    related: {
                        path: source.path,
                        range: lines.range(partialParse.problem.start, partialParse.problem.end),
                        message: partialParse.problem.message,
                    },
                });
                continue;
            }
            const inner = collectReferences(partialParse.ast, source.text);
            const innerHolder = { source, lines };
            for (const problem of helperProblems(inner)) {
                result.diagnostics.push({
                    ...problem,
                    range,
                    message: `In partial \`${ref.name}\`: ${problem.message}`,
                    related: relatedIn(innerHolder, problem.span, problem.message),
                });
            }
            const rootContext = ref.rootContext && (via?.rootContext ?? true);
            const hidden = new Set([...(via?.hiddenVariables ?? []), ...ref.hashKeys]);
            if (rootContext) {
                for (const variable of inner.variables) {
                    if (hidden.has(variable.name)) continue;
                    result.variables.push({ name: variable.name, path: variable.path, range, viaPartial: ref.name });
                }
            }
            chain.push({ name: ref.name, conditional: ref.conditional });
            await resolvePartials(inner, new Set([...inlineNames, ...inner.inlinePartials]), via ?? { name: ref.name, range, rootContext, hiddenVariables: hidden }, innerHolder);
            chain.pop();
        }
    };
    await resolvePartials(references, references.inlinePartials, undefined, undefined);
    return result;
}

/** What to do about a NUL byte in a prompt or partial. */
export const nulHint = 'a prompt is text, and NUL is no text: the file may be binary or saved as UTF-16; save it as UTF-8 text.';

interface HelperProblem {
    span: TemplateSpan;
    severity: 'error' | 'warning';
    code: 'unknown-helper' | 'helper-arguments' | 'unknown-role' | 'unsupported-media';
    message: string;
    subject: string;
}

/** Positional arguments each helper needs; calling one with fewer makes it throw mid-render. */
const helperArity: Record<string, { count: number; usage: string }> = {
    if: { count: 1, usage: '{{#if condition}}' },
    unless: { count: 1, usage: '{{#unless condition}}' },
    each: { count: 1, usage: '{{#each list}}' },
    with: { count: 1, usage: '{{#with object}}' },
    lookup: { count: 2, usage: '{{lookup object key}}' },
    json: { count: 1, usage: '{{json value}}' },
    role: { count: 1, usage: '{{role "user"}}' },
    section: { count: 1, usage: '{{section "name"}}' },
    ifEquals: { count: 2, usage: '{{#ifEquals a b}}' },
    unlessEquals: { count: 2, usage: '{{#unlessEquals a b}}' },
};

function helperProblems(refs: TemplateReferences): HelperProblem[] {
    const problems: HelperProblem[] = [];
    for (const helper of refs.helpers) {
        const arity = helperArity[helper.name];
        if (!helper.known) {
            problems.push({
                span: helper, severity: 'error', code: 'unknown-helper', subject: helper.name,
                message: `Unknown helper \`${helper.name}\`: Dotprompt renders with these helpers only: ${helperList}.`,
            });
        } else if (arity !== undefined && helper.stringArgs.length !== arity.count) {
            problems.push({
                span: helper, severity: 'error', code: 'helper-arguments', subject: helper.name,
                message: `\`${helper.name}\` takes ${arity.count} argument${arity.count > 1 ? 's' : ''}, got ${helper.stringArgs.length}: write \`${arity.usage}\`.`,
            });
        } else if (helper.name === 'media' && !helper.hashKeys.includes('url')) {
            problems.push({
                span: helper, severity: 'error', code: 'helper-arguments', subject: helper.name,
                message: '`media` needs a url: write `{{media url=imageUrl}}`.',
            });
        } else if (helper.name === 'role') {
            const role = helper.stringArgs[0];
            if (role !== undefined && !(chatRoles as readonly string[]).includes(role)) {
                problems.push({
                    span: helper, severity: 'warning', code: 'unknown-role', subject: role,
                    message: `Role \`${role}\` is not one the model's chat template takes: use ${chatRoles.map(r => `"${r}"`).join(', ')}.`,
                });
            }
        } else if (helper.name === 'media') {
            problems.push({
                span: helper, severity: 'warning', code: 'unsupported-media', subject: helper.name,
                message: 'Local text models cannot take media: running this prompt fails while `{{media}}` renders.',
            });
        }
    }
    return problems;
}

function relatedIn(holder: { source: PartialSource; lines: LineIndex }, span: TemplateSpan, message: string) {
    return { path: holder.source.path, range: holder.lines.range(span.start, span.end), message };
}

function missingPartialHint(doc: PromptDocument, name: string): string {
    if (doc.path === undefined) return 'no partial of that name is registered.';
    const expected = partialFilePath('.', name);
    return expected === undefined
        ? 'partial names are paths relative to the prompt\'s folder, without `..`.'
        : `create \`${expected.replace(/^\.\//, '')}\` beside ${basename(doc.path)}.`;
}
