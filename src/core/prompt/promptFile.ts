import { stringify } from 'yaml';
import type { SamplingOptions } from '../../shared/sampling';
import type { ChatMessage } from './chatMessages';
import { configKeys } from './config/configKeys';

/** A run to write as a `.prompt` file. */
export interface PromptFileRun {
    messages: readonly ChatMessage[];
    sampling: SamplingOptions;
    /** Adapters, written as `promptscope.lora` with absolute paths. */
    lora?: readonly { path: string; scale?: number }[];
    /** Where the run came from, for a comment at the top (model name and file). */
    comment?: string;
}

/**
 * A message's text as template text: Handlebars renders `\{{` as a literal `{{`, so every `{{` is escaped. A
 * backslash right before `{{` cannot be written at all (Handlebars reads `\\{{` as a backslash and a real
 * expression), so such text is refused with a RangeError rather than saved as something else.
 */
export function escapeTemplateText(text: string): string {
    if (/\\\{\{/.test(text)) {
        throw new RangeError('A message has a backslash right before "{{", which a Dotprompt template cannot hold literally: edit it before saving.');
    }
    return text.replaceAll('{{', '\\{{');
}

/**
 * A Dotprompt file that reproduces a run: the messages as `{{role "…"}}` blocks, `config` with the sampling
 * options (Dotprompt's keys: `maxOutputTokens` for maxTokens), `output` with a JSON schema constraint, and
 * `promptscope.lora`. Running it through preparePrompt gives the same messages, sampling and adapters.
 */
export function writePromptFile(run: PromptFileRun): string {
    const front: Record<string, unknown> = {};
    const config: Record<string, unknown> = {};
    const { jsonSchema, ...sampling } = run.sampling;
    for (const info of configKeys) {
        const value = sampling[info.field as keyof typeof sampling];
        if (value === undefined) continue;
        config[info.key] = value;
    }
    if (Object.keys(config).length > 0) front.config = config;
    if (jsonSchema !== undefined) front.output = { format: 'json', schema: jsonSchema };
    if (run.lora !== undefined && run.lora.length > 0) {
        front['promptscope.lora'] = run.lora.map(a => ({ path: a.path, scale: a.scale ?? 1 }));
    }
    const header = run.comment === undefined ? '' : run.comment.split(/\r?\n/).map(line => `# ${line}\n`).join('');
    const yaml = Object.keys(front).length === 0 ? '' : stringify(front, { lineWidth: 0 });
    // Dotprompt keeps the text between two markers exactly (a newline after a marker would become part of the
    // message), and trims the end of the template: so each message follows its marker directly, and a comment
    // after the last one keeps its trailing whitespace.
    const body = run.messages.map(m => `{{role "${m.role}"}}${escapeTemplateText(m.text)}`).join('');
    const end = /\s$/.test(run.messages.at(-1)?.text ?? '') ? '{{!-- end of the last message --}}' : '';
    return `---\n${header}${yaml}---\n${body}${end}\n`;
}
