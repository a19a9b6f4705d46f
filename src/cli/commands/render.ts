import { readFile } from 'node:fs/promises';
import { analyzePrompt, PromptDocument, renderPrompt, type Message } from '../../core/prompt';
import type { CliCommand } from '../CliCommand';
import { printJson } from '../printJson';
import { stringOptions } from '../optionTables';
import { jsonObjectFlag } from '../parseFlags';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope render FILE.prompt [--input JSON] [--context JSON] [--messages JSON]

Renders a .prompt file with Dotprompt and prints the rendered prompt as JSON
(Dotprompt's RenderedPrompt: messages, config, ext, input, output, raw, ...).
No model is loaded. Warnings (unknown config keys, undeclared variables, ...)
go to stderr as FILE:LINE:COLUMN: warning: MESSAGE; errors likewise, exit 1.

Options:
  --input JSON     Input variables, merged over input.default, e.g. '{"topic": "cats"}'
  --context JSON   @-variables: '{"state": {"n": 1}}' is {{@state.n}} in the template
  --messages JSON  History for {{history}}, e.g. '[{"role": "user", "content": [{"text": "Hi"}]}]'
`;

const roles = new Set(['system', 'user', 'model', 'tool']);

export const renderCommand: CliCommand = {
    name: 'render',
    summary: 'Render a .prompt file to JSON (messages, config, ext, ...) without a model',
    usage,
    allowPositionals: true,
    options: stringOptions('input', 'context', 'messages'),
    async run({ values, positionals }) {
        if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give a .prompt file' : `one prompt file at a time (got ${positionals.join(', ')})`);
        const file = positionals[0]!;
        const input = jsonObjectFlag(values, 'input');
        const context = jsonObjectFlag(values, 'context');
        const messages = messagesFlag(values.messages);

        let text: string;
        try {
            text = await readFile(file, 'utf8');
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            throw new Error(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`);
        }
        const doc = PromptDocument.fromText(text, file);
        const rendered = await renderPrompt(doc, { input, context, messages });

        // The render worked; what analysis still finds (unknown config keys, a topP a run would reject) is worth seeing.
        for (const diagnostic of await analyzePrompt(doc)) {
            const { line, character } = diagnostic.range.start;
            process.stderr.write(`${file}:${line + 1}:${character + 1}: ${diagnostic.severity}: ${diagnostic.message}\n`);
        }
        printJson(rendered);
    },
};

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
