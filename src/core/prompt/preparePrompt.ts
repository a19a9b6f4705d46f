import { dirname, isAbsolute, resolve } from 'node:path';
import type { RenderedPrompt } from 'dotprompt';
import type { SamplingFields } from '../sampling/validateSampling';
import { toChatMessages, type ChatMessage } from './chatMessages';
import { checkConfig } from './config/checkConfig';
import { PromptConfigError } from './errors/PromptConfigError';
import type { FrontMatterIssue } from './FrontMatterIssue';
import { issueDiagnostic, issueRange } from './issueDiagnostic';
import type { PromptDiagnostic } from './PromptDiagnostic';
import type { PromptDocument } from './PromptDocument';
import { renderPrompt, type RenderPromptOptions } from './renderPrompt';
import { readPromptscopeSettings } from './settings/readPromptscopeSettings';
import type { PromptscopeSettings } from './settings/PromptscopeSettings';

/** Everything a run needs from a `.prompt` file. */
export interface PreparedPrompt {
    /** Dotprompt's RenderedPrompt, as `promptscope render` prints it. */
    rendered: RenderedPrompt;
    /** The rendered turns, for the model's chat template. */
    messages: ChatMessage[];
    /** `config` mapped onto sampling options, plus `jsonSchema` from `output.schema` when the output is JSON. */
    sampling: SamplingFields;
    settings: PromptscopeSettings;
    /** `promptscope.lora` with paths resolved against the prompt's folder. */
    lora: { path: string; scale?: number }[];
    /** `promptscope.variants` resolved against the prompt's folder. */
    variants: string[];
    /** Problems that do not stop a run (unknown config keys, ignored settings), positioned in the prompt. */
    warnings: PromptDiagnostic[];
}

/**
 * Renders a prompt and turns it into a run request: chat messages, validated sampling options and
 * Promptscope settings. Throws the first error as a typed {@link PromptError} with its position
 * (config values are checked with the runtime's own rules), so no run starts from a half-valid prompt.
 */
export async function preparePrompt(doc: PromptDocument, options: RenderPromptOptions = {}): Promise<PreparedPrompt> {
    const rendered = await renderPrompt(doc, options);
    const config = checkConfig(rendered.config);
    const settingsRead = readPromptscopeSettings(rendered.raw ?? {});
    const issues: FrontMatterIssue[] = [...config.issues, ...settingsRead.issues];

    const sampling: SamplingFields = { ...config.sampling };
    const output = rendered.output;
    if (output?.schema != null && output.format !== 'text') sampling.jsonSchema = output.schema;
    if (sampling.grammar !== undefined && sampling.jsonSchema !== undefined) {
        issues.push({
            path: ['config', 'grammar'], at: 'key', severity: 'error', code: 'invalid-config-value',
            message: '`config.grammar` and `output.schema` both constrain the output: keep one.',
        });
    }

    const error = issues.find(i => i.severity === 'error');
    if (error !== undefined) {
        throw new PromptConfigError(error.path.join('.'), error.message, { path: doc.path, range: issueRange(doc, error) });
    }

    const folder = doc.path === undefined ? undefined : dirname(doc.path);
    const resolvePath = (path: string) => folder === undefined || isAbsolute(path) ? path : resolve(folder, path);
    return {
        rendered,
        messages: toChatMessages(rendered.messages, doc.path),
        sampling,
        settings: settingsRead.settings,
        lora: (settingsRead.settings.lora ?? []).map(l => ({ ...l, path: resolvePath(l.path) })),
        variants: (settingsRead.settings.variants ?? []).map(resolvePath),
        warnings: issues.map(issue => issueDiagnostic(doc, issue)),
    };
}
