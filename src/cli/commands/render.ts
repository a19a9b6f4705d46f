import { resolve } from 'node:path';
import { preparePrompt, type Message, type PreparedPrompt } from '../../core/prompt';
import type { CliCommand } from '../CliCommand';
import { modelJson, printJson } from '../printJson';
import { stringOptions } from '../optionTables';
import { jsonObjectFlag } from '../parseFlags';
import { printRetrieval, printWarnings } from '../promptTarget';
import { withRetrievalEmbedder } from '../RetrievalEmbedder';
import { UsageError } from '../UsageError';
import type { ChatMessage } from '../../shared/runtimeApi';
import { chatTemplateWarningText } from '../../core/model/chatTemplateText';
import { formatRenderedChat, specialClose, specialOpen } from '../formatRenderedChat';
import { withFlagModel } from '../withFlagModel';

const usage = `Usage: promptscope render FILE.prompt [--input JSON] [--context JSON] [--messages JSON] [--model M] [--json]

Prepares a prompt exactly as run does (and as the editor does), without a model, and prints the rendered
prompt as JSON (Dotprompt's RenderedPrompt: messages, config, ext, input, output, raw, ...). A file that is
not a .prompt is raw text, one user message, as run sends it. Warnings (unknown config keys, undeclared
variables, ...) go to stderr as FILE:LINE:COLUMN: warning: MESSAGE. Every error (bad YAML or template, a config
value run would reject, invalid GBNF in config.grammar, config.grammar beside output.schema, a bad promptscope.*
setting, a missing input) goes to stderr as FILE:LINE:COLUMN: MESSAGE, nothing to stdout, exit 1.

A prompt with promptscope.retrieval has its query embedded by the index's model (a runtime is started for it) and
its passages put into the template as @retrieved; stderr lists them: rank, cosine similarity, FILE:LINES, first words.

With --model, the messages go through the model's own chat template, as run sends them, and it prints what
the model receives: the text with special tokens marked ${specialOpen}like this${specialClose} (in colour on a terminal), a
table of the tokens (id, text, vocabulary piece, special, written by the template or by a message) and the ids, and which
chat wrapper rendered them: the model's Jinja template, node-llama-cpp's built-in wrapper of its family (checked
to render the same), or a fallback. A template node-llama-cpp cannot interpret, or none, falls back to a guessed
format with a warning on stderr naming the template (MODEL: warning: ...).

Options:
  --input JSON         Input variables, merged over input.default, e.g. '{"topic": "cats"}'
  --context JSON       @-variables: '{"state": {"n": 1}}' is {{@state.n}} in the template
  --messages JSON      History for {{history}}, e.g. '[{"role": "user", "content": [{"text": "Hi"}]}]'
  --model M            Render through this model's chat template: a .gguf path or hf:owner/repo:quant
  --threads N          CPU threads, with --model (default: physical cores - 1)
  --gpu G              auto | cuda | metal | vulkan | off, with --model (default auto)
  --runtime-timeout S  With --model: fail when the runtime does not respond for S seconds (default 30; 0 = never)
  --json               Print what a run sends instead: {kind, file, messages, sampling, lora, strategy, variants,
                       settings, promptHash, warnings: [{line, column, severity, code, message}], rendered,
                       and, when the prompt retrieves, retrieval: {index, model, query, k, mode, chunks, passages:
                       [{rank, score, file, startLine, endLine, text, chunk}], embedMs, ms}}; with
                       --model also {model, modelPath, backend, template: {wrapper, source: "model-template" |
                       "family-wrapper" | "fallback", warning?: {code: "template-unusable" | "no-template",
                       template, firstLine?, reason}}, text (the template's output), tokens: [{id, text, raw,
                       special, fromTemplate}]}
`;

const roles = new Set(['system', 'user', 'model', 'tool']);

export const renderCommand: CliCommand = {
    name: 'render',
    summary: 'Render a .prompt file to JSON without a model, or with --model as the model receives it (templated text, tokens)',
    usage,
    allowPositionals: true,
    options: stringOptions('input', 'context', 'messages', 'model', 'threads', 'gpu', 'runtime-timeout'),
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give a .prompt file' : `one prompt file at a time (got ${positionals.join(', ')})`);
        const input = jsonObjectFlag(values, 'input');
        const context = jsonObjectFlag(values, 'context');
        const messages = messagesFlag(values.messages);
        const modelOnly = ['threads', 'gpu', 'runtime-timeout'].find(name => values[name] !== undefined);
        if (values.model === undefined && modelOnly !== undefined) throw new UsageError(`--${modelOnly} applies with --model only`);

        const prepared = printRetrieval(printWarnings(await withRetrievalEmbedder(
            embedder => preparePrompt({ path: resolve(positionals[0]!) }, { input, context, messages, embedder }), verbose)));
        if (values.model === undefined) {
            printJson(json ? preparedJson(prepared) : prepared.rendered ?? { messages: [{ role: 'user', content: [{ text: prepared.text }] }] });
            return;
        }
        // As run sends it: a .prompt's messages, any other file's text as one user message.
        const chat: ChatMessage[] = prepared.kind === 'chat' ? prepared.messages : [{ role: 'user', text: prepared.text }];
        await withFlagModel(values, verbose, async ({ session, model }) => {
            const result = await session.client.renderChat(chat);
            // withFlagModel warns of a template that cannot be used; a missing one matters here, where the format is the subject.
            if (result.template.warning?.code === 'no-template') process.stderr.write(`${model.path}: warning: ${chatTemplateWarningText(result.template)}\n`);
            if (json) printJson({ ...preparedJson(prepared), ...modelJson(model), ...result });
            else process.stdout.write(formatRenderedChat(result, { model: model.name, colour: process.stdout.isTTY === true }));
        });
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
        ...(prepared.retrieval !== undefined ? { retrieval: prepared.retrieval } : {}),
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
