import { resolve } from 'node:path';
import { preparePrompt, type Message, type PreparedPrompt } from '../../core/prompt';
import type { CliCommand } from '../CliCommand';
import { printJson } from '../printJson';
import { stringOptions } from '../optionTables';
import { jsonObjectFlag } from '../parseFlags';
import { printWarnings } from '../promptTarget';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope render FILE.prompt [--input JSON] [--context JSON] [--messages JSON] [--json]

Prepares a prompt exactly as run does (and as the editor does), without a model, and prints the rendered
prompt as JSON (Dotprompt's RenderedPrompt: messages, config, ext, input, output, raw, ...). A file that is
not a .prompt is raw text, one user message, as run sends it. Warnings (unknown config keys, undeclared
variables, ...) go to stderr as FILE:LINE:COLUMN: warning: MESSAGE. Every error (bad YAML or template, a config
value run would reject, invalid GBNF in config.grammar, config.grammar beside output.schema, a bad promptscope.*
setting, a missing input) goes to stderr as FILE:LINE:COLUMN: MESSAGE, nothing to stdout, exit 1.

Options:
  --input JSON     Input variables, merged over input.default, e.g. '{"topic": "cats"}'
  --context JSON   @-variables: '{"state": {"n": 1}}' is {{@state.n}} in the template
  --messages JSON  History for {{history}}, e.g. '[{"role": "user", "content": [{"text": "Hi"}]}]'
  --json           Print what a run sends instead: {kind, file, messages, sampling, lora, strategy, variants,
                   settings, promptHash, warnings: [{line, column, severity, code, message}], rendered}
`;

const roles = new Set(['system', 'user', 'model', 'tool']);

export const renderCommand: CliCommand = {
    name: 'render',
    summary: 'Render a .prompt file to JSON (messages, config, ext, ...) without a model',
    usage,
    allowPositionals: true,
    options: stringOptions('input', 'context', 'messages'),
    async run({ values, positionals, json }) {
        if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give a .prompt file' : `one prompt file at a time (got ${positionals.join(', ')})`);
        const input = jsonObjectFlag(values, 'input');
        const context = jsonObjectFlag(values, 'context');
        const messages = messagesFlag(values.messages);

        const prepared = printWarnings(await preparePrompt({ path: resolve(positionals[0]!) }, { input, context, messages }));
        printJson(json ? preparedJson(prepared) : prepared.rendered ?? { messages: [{ role: 'user', content: [{ text: prepared.text }] }] });
    },
};

/** `render --json`: what a run of the prompt sends, and the warnings with 1-based positions. */
function preparedJson(prepared: PreparedPrompt): Record<string, unknown> {
    return {
        kind: prepared.kind, file: prepared.file ?? null, messages: prepared.messages, sampling: prepared.sampling, lora: prepared.lora,
        strategy: prepared.strategy ?? null, variants: prepared.variants, settings: prepared.settings, promptHash: prepared.promptHash,
        warnings: prepared.warnings.map(w => ({
            line: w.range.start.line + 1, column: w.range.start.character + 1, severity: w.severity, code: w.code, message: w.message,
        })),
        rendered: prepared.rendered ?? null,
    };
}

/** `--messages JSON`: Dotprompt messages, `[{role, content: [{text}]}]`. */
function messagesFlag(raw: unknown): Message[] | undefined {
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(String(raw));
    } catch (error) {
        throw new UsageError(`--messages is not valid JSON (${(error as Error).message})`);
    }
    const valid = Array.isArray(parsed) && parsed.every(m =>
        m !== null && typeof m === 'object' && roles.has((m as Message).role) && Array.isArray((m as Message).content));
    if (!valid) throw new UsageError('--messages must be a JSON array of {"role": "user"|"model"|"system"|"tool", "content": [{"text": "…"}]}');
    return parsed as Message[];
}
