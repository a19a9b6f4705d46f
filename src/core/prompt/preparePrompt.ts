import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { RenderedPrompt } from 'dotprompt';
import type { LoraAdapterSpec } from '../../shared/runtimeApi';
import type { ReadFileKind } from '../../shared/limits';
import type { SamplingOptions } from '../../shared/sampling';
import { readBoundedText } from '../files/readBoundedText';
import { analyzePrompt } from './analyzePrompt';
import { toChatMessages, type ChatMessage } from './chatMessages';
import { checkConfig } from './config/checkConfig';
import { diagnosticError } from './diagnosticError';
import { EmptyPromptError } from './errors/EmptyPromptError';
import { PromptReadError } from './errors/PromptReadError';
import { NulCharacterError } from './errors/NulCharacterError';
import { PromptConfigError } from './errors/PromptConfigError';
import { issueRange } from './issueDiagnostic';
import type { PromptDiagnostic } from './PromptDiagnostic';
import { PromptDocument } from './PromptDocument';
import type { PromptSource } from './PromptSource';
import { renderPrompt, type RenderPromptOptions } from './renderPrompt';
import { nulHint } from './template/checkTemplate';
import { readPromptscopeSettings } from './settings/readPromptscopeSettings';
import type { PromptscopeSettings, PromptStrategy } from './settings/PromptscopeSettings';
import type { Embedder } from '../retrieval/Embedder';
import type { RetrievalOutcome } from '../retrieval/retrievePassages';
import { retrieveForPrompt } from './retrieveForPrompt';

/** What preparing a prompt may use beyond rendering it. */
export interface PreparePromptOptions extends RenderPromptOptions {
    /**
     * Embeds the query of `promptscope.retrieval` with the index's model (the runtime client). Without one, a prompt that
     * retrieves fails with a RetrievalUnavailableError; others do not need it. Defaults to none.
     */
    embedder?: Embedder;
    /** Stops a retrieval's query embedding. Defaults to none. */
    signal?: AbortSignal;
}

interface PreparedFields {
    /** Absolute path of the prompt file; undefined for `--text` and for an editor buffer that was never saved. */
    file: string | undefined;
    /** The prompt's text as read once (what {@link promptHash} hashes); for raw text, the text a raw run continues. */
    text: string;
    /** The turns for the model's chat template; raw text is one user message. */
    messages: ChatMessage[];
    /** `config` mapped onto sampling options, plus `jsonSchema` from `output.schema` when the output is JSON. */
    sampling: SamplingOptions;
    settings: PromptscopeSettings;
    /** `promptscope.lora` with paths resolved against the prompt's folder: sent with each request that runs the prompt. */
    lora: LoraAdapterSpec[];
    /** `promptscope.strategy`; undefined when the prompt names none (a run then goes `direct`). */
    strategy: PromptStrategy | undefined;
    /** `promptscope.variants` resolved against the prompt's folder. */
    variants: string[];
    /** Problems that do not stop a run (unknown config keys, undeclared variables, …), positioned in the prompt. */
    warnings: PromptDiagnostic[];
    /** sha256 of {@link text}, so a run-history line names the exact prompt it ran. */
    promptHash: string;
    /** What `promptscope.retrieval` put into the prompt as `@retrieved` (query, passages with scores); undefined without it. */
    retrieval?: RetrievalOutcome;
}

/** A `.prompt` file rendered and checked. */
export interface PreparedChatPrompt extends PreparedFields {
    kind: 'chat';
    /** Dotprompt's RenderedPrompt, as `promptscope render` prints it. */
    rendered: RenderedPrompt;
}

/** Raw text (`--text`, a `.txt` file): no front matter, nothing rendered. */
export interface PreparedTextPrompt extends PreparedFields {
    kind: 'text';
    rendered?: undefined;
}

/** Everything a run needs from a prompt, the same for the CLI and the editor. */
export type PreparedPrompt = PreparedChatPrompt | PreparedTextPrompt;

/**
 * THE preparation of a prompt, for every caller (every CLI command, the editor's Run, Render, token count and
 * inspection panels, the playground's Open as .prompt, dataset evaluation): read the source once, check it as the
 * editor's diagnostics do (an error-severity diagnostic fails the run as its typed {@link PromptError}, with the same
 * message and position; GBNF grammars included), render it with `options.input`, map `config` onto sampling
 * options and read `promptscope.*` (adapters, strategy, variants). Warnings come back positioned; nothing
 * half-valid is ever returned.
 */
export function preparePrompt(source: PromptDocument | { document: PromptDocument }, options?: PreparePromptOptions): Promise<PreparedChatPrompt>;
export function preparePrompt(source: PromptDocument | PromptSource, options?: PreparePromptOptions): Promise<PreparedPrompt>;
export async function preparePrompt(source: PromptDocument | PromptSource, options: PreparePromptOptions = {}): Promise<PreparedPrompt> {
    if (source instanceof PromptDocument) return prepareDocument(source, options);
    if (source.document !== undefined) return prepareDocument(source.document, options);
    if (source.text !== undefined) return textPrompt(source.file, source.text);
    return preparePrompt(await readPromptSource(source.path), options);
}

/**
 * Reads a prompt file once, for callers that prepare it several times (one dataset row after another): a
 * `.prompt` file as a {@link PromptDocument}, any other file as raw text. `kind` picks the size limit and names the
 * file in errors (`variant` for an ensemble's other prompts); defaults to `prompt`. Throws {@link PromptReadError}
 * when the file cannot be read, and the bounded reader's NotARegularFileError or FileTooLargeError (each naming the
 * file) for a path that is not a regular file or is too large.
 */
export async function readPromptSource(path: string, kind: Extract<ReadFileKind, 'prompt' | 'variant'> = 'prompt'): Promise<{ document: PromptDocument } | { text: string; file: string }> {
    let text: string;
    try {
        text = await readBoundedText(path, kind);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === undefined) throw error;
        throw new PromptReadError(path, code === 'ENOENT' ? 'no such file' : (error as Error).message);
    }
    return path.endsWith('.prompt') ? { document: PromptDocument.fromText(text, path) } : { text, file: resolve(path) };
}

async function prepareDocument(doc: PromptDocument, options: PreparePromptOptions): Promise<PreparedChatPrompt> {
    const analysis = await analyzePrompt(doc, { partials: options.partials, schemas: options.schemas });
    const error = analysis.find(d => d.severity === 'error');
    if (error !== undefined) throw diagnosticError(error, doc.path);
    if (doc.template.trim() === '') {
        throw new EmptyPromptError(doc.frontMatter === undefined
            ? 'the prompt is empty: write the text to send to the model in it.'
            : 'the prompt has front matter but no template after it: write the text to send to the model after the closing `---`.',
        { path: doc.path, ...(doc.frontMatter === undefined ? {} : { range: doc.lines.range(doc.text.length, doc.text.length) }) });
    }

    // Retrieval comes before rendering: its passages are part of what renders (`@retrieved`). The analysis above has
    // checked the setting, so reading it again here finds it valid.
    const retrievalSetting = readPromptscopeSettings(doc.frontMatterData()).settings.retrieval;
    let retrieval: RetrievalOutcome | undefined;
    let renderOptions: RenderPromptOptions = options;
    if (retrievalSetting !== undefined) {
        const defaults = (doc.frontMatterData().input as { default?: Record<string, unknown> } | undefined)?.default;
        const input = { ...(defaults !== null && typeof defaults === 'object' ? defaults : {}), ...options.metadata?.input?.default, ...options.input };
        retrieval = await retrieveForPrompt(doc, retrievalSetting, input, options);
        renderOptions = { ...options, context: { ...options.context, retrieved: retrieval.passages } };
    }
    const rendered = await renderPrompt(doc, renderOptions);
    // The analysis read the front matter; render options may still override `config` (metadata), so check what renders.
    const config = checkConfig(rendered.config);
    const configError = config.issues.find(i => i.severity === 'error');
    if (configError !== undefined) {
        throw new PromptConfigError(configError.path.join('.'), configError.message, { path: doc.path, range: issueRange(doc, configError) });
    }
    const { settings } = readPromptscopeSettings(rendered.raw ?? {});

    const sampling: SamplingOptions = { ...config.sampling, ...(settings.watermark ? { watermark: settings.watermark } : {}) };
    const output = rendered.output;
    if (output?.schema != null && output.format !== 'text') sampling.jsonSchema = output.schema;

    const folder = doc.path === undefined ? undefined : dirname(doc.path);
    const resolvePath = (path: string) => folder === undefined || isAbsolute(path) ? path : resolve(folder, path);
    return {
        kind: 'chat',
        file: doc.path === undefined ? undefined : resolve(doc.path),
        text: doc.text,
        rendered,
        messages: toChatMessages(rendered.messages, doc.path),
        sampling,
        settings,
        lora: (settings.lora ?? []).map(l => ({ path: resolvePath(l.path), ...(l.scale === undefined ? {} : { scale: l.scale }) })),
        strategy: settings.strategy,
        variants: (settings.variants ?? []).map(resolvePath),
        warnings: analysis,
        promptHash: sha256(doc.text),
        ...(retrieval !== undefined ? { retrieval } : {}),
    };
}

function textPrompt(file: string | undefined, text: string): PreparedTextPrompt {
    if (text.trim() === '') throw new EmptyPromptError('the prompt is empty: write the text to send to the model in it.', { path: file });
    const nul = text.indexOf('\0');
    if (nul >= 0) {
        const line = text.slice(0, nul).split('\n').length;
        throw new NulCharacterError(`the prompt holds a NUL byte on line ${line}: ${nulHint}`, { path: file });
    }
    return {
        kind: 'text', file, text, messages: [{ role: 'user', text }], sampling: {}, settings: {}, lora: [],
        strategy: undefined, variants: [], warnings: [], promptHash: sha256(text),
    };
}

function sha256(text: string): string {
    return createHash('sha256').update(text).digest('hex');
}
