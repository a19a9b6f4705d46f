import { Dotprompt, type Document, type JSONSchema, type Message, type PromptMetadata, type RenderedPrompt } from 'dotprompt';
import Handlebars from 'handlebars/dist/cjs/handlebars.js';
import { FrontMatterError } from './errors/FrontMatterError';
import { InvalidInputError } from './errors/InvalidInputError';
import { MissingInputError } from './errors/MissingInputError';
import { PartialCycleError } from './errors/PartialCycleError';
import { diagnosticError } from './diagnosticError';
import { PromptError } from './errors/PromptError';
import { PromptSchemaError } from './errors/PromptSchemaError';
import { TemplateRenderError } from './errors/TemplateRenderError';
import { TemplateSyntaxError } from './errors/TemplateSyntaxError';
import { filePartials } from './filePartials';
import { noPartials, type PartialLookup } from './PartialLookup';
import type { PromptDiagnostic } from './PromptDiagnostic';
import type { PromptDocument } from './PromptDocument';
import { convertSchema } from './schema/convertSchema';
import { locateSchemaProperty } from './schema/locateSchemaProperty';
import { validateInput } from './schema/validateInput';
import { checkTemplate } from './template/checkTemplate';

export interface RenderPromptOptions {
    /** Input variables, merged over `input.default`. Defaults to none. */
    input?: Record<string, unknown>;
    /** Exposed to the template as `@` variables: `{state: {…}}` is `@state`. Defaults to none. */
    context?: Record<string, unknown>;
    /** Conversation history, inserted where the template says `{{history}}`. Defaults to none. */
    messages?: Message[];
    /** Documents for the template's `@metadata.docs`. Defaults to none. */
    docs?: Document[];
    /** Where `{{> name}}` partials come from. Defaults to `_name.prompt` files beside the prompt (none for a prompt without a path). */
    partials?: PartialLookup;
    /** Named schemas Picoschema may refer to (`schema: Person`). Defaults to none. */
    schemas?: Record<string, JSONSchema>;
    /** Metadata merged over the front matter, as Dotprompt's render options: `{config: {temperature: 0}}`, `{input: {default: …}}`. Defaults to none. */
    metadata?: PromptMetadata;
}

/**
 * Renders a `.prompt` file with Dotprompt into its RenderedPrompt (`messages`, `config`, `ext`, `input`,
 * `output`, `raw`, …). Everything that can be checked before rendering is (front matter, template syntax,
 * helpers, partials, schemas, required inputs), each failure a typed {@link PromptError} with the file and
 * position; nothing half-rendered is ever returned.
 */
export async function renderPrompt(doc: PromptDocument, options: RenderPromptOptions = {}): Promise<RenderedPrompt> {
    const location = (range?: PromptDiagnostic['range']) => ({ path: doc.path, range });

    const frontMatterError = doc.frontMatterProblems().find(p => p.severity === 'error');
    if (frontMatterError !== undefined) {
        throw new FrontMatterError(frontMatterError.message, location(doc.lines.range(frontMatterError.start, frontMatterError.end)));
    }

    const lookup = options.partials ?? (doc.path === undefined ? noPartials : filePartials(doc.path));
    const check = await checkTemplate(doc, lookup);
    const templateProblem = check.diagnostics.find(d => d.severity === 'error');
    if (templateProblem !== undefined) throw templateError(doc, templateProblem);

    return exclusively(async () => {
        const dotprompt = new Dotprompt({
            partials: Object.fromEntries([...check.partials].map(([name, source]) => [name, source.text])),
            schemas: options.schemas,
        });
        try {
            const parsed = dotprompt.parse(doc.toDotpromptSource());
            for (const section of ['input', 'output'] as const) {
                const schema = options.metadata?.[section]?.schema ?? parsed[section]?.schema;
                if (schema === undefined) continue;
                const conversion = await convertSchema(doc, section, schema, options.schemas);
                if (!conversion.ok) throw new PromptSchemaError(conversion.message, location(conversion.range));
            }
            const metadata = await dotprompt.renderMetadata(parsed, options.metadata);

            const defaults = { ...parsed.input?.default, ...options.metadata?.input?.default };
            const input = { ...defaults, ...options.input };
            checkInput(doc, input, metadata.input?.schema);

            let rendered: RenderedPrompt;
            try {
                const render = await dotprompt.compile(parsed);
                rendered = await render(
                    { input: options.input ?? {}, context: options.context, messages: options.messages, docs: options.docs },
                    { input: { default: defaults } },
                );
            } catch (error) {
                throw renderError(doc, error, check.conditionalCycles);
            }
            return { ...metadata, messages: rendered.messages };
        } finally {
            for (const name of check.partials.keys()) Handlebars.unregisterPartial(name);
        }
    });
}

/**
 * Every Dotprompt instance shares Handlebars' one global environment, partials included, and rendering
 * awaits between registering partials and using them: two renders interleaving could each see the other's
 * `_persona.prompt`. Renders therefore run one at a time, each unregistering its partials when done.
 */
let queue: Promise<unknown> = Promise.resolve();
function exclusively<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
}

function checkInput(doc: PromptDocument, input: Record<string, unknown>, schema: unknown): void {
    // A non-object input schema (`schema: string`) says nothing about the template's variables.
    const type = (schema as { type?: unknown } | undefined)?.type;
    if (type !== 'object' && !(Array.isArray(type) && type.includes('object'))) return;
    for (const issue of validateInput(input, schema)) {
        if (issue.kind === 'additional') continue;
        const range = locateSchemaProperty(doc, 'input', issue.path);
        const at = range === undefined ? '' : ` (input.schema, line ${range.start.line + 1})`;
        if (issue.kind === 'missing') {
            throw new MissingInputError(
                issue.path.join('.'),
                `${issue.message.replace(/\.$/, '')}${at}: give it as an input or add it to input.default.`,
                { path: doc.path, range },
            );
        }
        throw new InvalidInputError(`${issue.message.replace(/\.$/, '')}${at}.`, { path: doc.path, range });
    }
}

function templateError(doc: PromptDocument, diagnostic: PromptDiagnostic): Error {
    if (diagnostic.code === 'unknown-partial' || diagnostic.code === 'unreadable-partial' || diagnostic.code === 'partial-cycle' || diagnostic.code === 'nul-character'
        || diagnostic.code === 'template-nesting') {
        return diagnosticError(diagnostic, doc.path);
    }
    // Point at the fault itself: inside the partial when it is there.
    const location = diagnostic.related === undefined
        ? { path: doc.path, range: diagnostic.range }
        : { path: diagnostic.related.path ?? doc.path, range: diagnostic.related.range };
    return new TemplateSyntaxError(diagnostic.message, location);
}

function renderError(doc: PromptDocument, error: unknown, conditionalCycles: readonly string[][]): Error {
    if (error instanceof PromptError) return error;
    // Recursion through partials whose condition never ended it (checkTemplate only rejects unconditional loops).
    if (error instanceof RangeError && conditionalCycles.length > 0) {
        const loops = conditionalCycles.map(c => c.map(n => `\`${n}\``).join(' → ')).join('; ');
        return new PartialCycleError(conditionalCycles[0]!,
            `Rendering recursed without end through partials that include themselves (${loops}): the condition around the `
            + 'inner include never became false for this input; make it end (e.g. recurse on a smaller part of the data).',
            { path: doc.path });
    }
    const message = error instanceof Error ? error.message : String(error);
    const exception = error as { lineNumber?: number; column?: number };
    const range = typeof exception.lineNumber === 'number' && typeof exception.column === 'number'
        ? (() => {
            const start = doc.templateOffsetAt(exception.lineNumber!, exception.column!);
            return doc.templateRange(start, start + 1);
        })()
        : undefined;
    return new TemplateRenderError(`Rendering failed: ${message.replace(/ - \d+:\d+$/, '')}`, { path: doc.path, range });
}
