import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    FrontMatterError, InvalidInputError, MissingInputError, PartialNotFoundError, PromptDocument, PromptError,
    PromptSchemaError, TemplateNestingError, TemplateRenderError, TemplateSyntaxError, memoryPartials, renderPrompt,
} from '../../src/core/prompt';
import { maxTemplateNesting } from '../../src/shared/limits';

/** `line:column`, 1-based, of an error. */
function where(error: PromptError): string {
    return `${error.line}:${error.column}`;
}

async function renderError(text: string, options: Parameters<typeof renderPrompt>[1] = {}, path = '/prompts/test.prompt'): Promise<PromptError> {
    try {
        await renderPrompt(PromptDocument.fromText(text, path), { partials: memoryPartials({}), ...options });
    } catch (error) {
        assert.ok(error instanceof PromptError, `expected a PromptError, got ${String(error)}`);
        return error;
    }
    assert.fail('expected rendering to fail');
}

function texts(messages: { role: string; content: { text?: string }[] }[]): string[] {
    return messages.map(m => `${m.role}: ${m.content.map(p => p.text ?? '').join('')}`);
}

describe('renderPrompt', () => {
    test('renders roles and applies input.default from the front matter, given inputs winning', async () => {
        const doc = PromptDocument.fromText([
            '---',
            'config:',
            '  temperature: 0.2',
            'input:',
            '  default:',
            '    topic: tides',
            '    tone: dry',
            '---',
            '{{role "system"}}Be {{tone}}.',
            '{{role "user"}}Explain {{topic}}.',
        ].join('\n'));
        const rendered = await renderPrompt(doc, { input: { topic: 'eclipses' } });
        assert.deepEqual(texts(rendered.messages), ['system: Be dry.\n', 'user: Explain eclipses.']);
        assert.deepEqual(rendered.config, { temperature: 0.2 });
        assert.deepEqual(rendered.input?.default, { topic: 'tides', tone: 'dry' });
    });

    test('keeps promptscope.* keys in ext and raw', async () => {
        const rendered = await renderPrompt(PromptDocument.fromText('---\npromptscope.strategy: cot\npromptscope.samples: 5\n---\nHi'));
        assert.deepEqual(rendered.ext, { promptscope: { strategy: 'cot', samples: 5 } });
        assert.equal(rendered.raw?.['promptscope.samples'], 5);
    });

    test('renders the same whatever the line endings, BOM or missing newline after the closing ---', async () => {
        const expected = ['user: Hello Ada'];
        for (const text of [
            '---\ninput:\n  default: {name: Ada}\n---\nHello {{name}}',
            '---\r\ninput:\r\n  default: {name: Ada}\r\n---\r\nHello {{name}}',
            '\uFEFF---\ninput:\n  default: {name: Ada}\n---\nHello {{name}}',
        ]) {
            assert.deepEqual(texts((await renderPrompt(PromptDocument.fromText(text))).messages), expected, JSON.stringify(text));
        }
        // Dotprompt 1.1.2 alone would render these two front matters as body text.
        assert.deepEqual(texts((await renderPrompt(PromptDocument.fromText('---\n---\nHello'))).messages), ['user: Hello']);
        assert.deepEqual((await renderPrompt(PromptDocument.fromText('---\nmodel: m\n---'))).messages, []);
    });

    test('resolves {{> name}} from _name.prompt files beside the prompt, nested and in subfolders', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-partials-'));
        try {
            writeFileSync(join(dir, '_persona.prompt'), 'a {{mood}} guide{{> shared/sign}}');
            mkdirSync(join(dir, 'shared'));
            writeFileSync(join(dir, 'shared', '_sign.prompt'), ' (signed)');
            const path = join(dir, 'main.prompt');
            writeFileSync(path, '---\ninput:\n  default: {mood: calm}\n---\nYou are {{> persona}}.');
            const rendered = await renderPrompt(await PromptDocument.load(path));
            assert.deepEqual(texts(rendered.messages), ['user: You are a calm guide (signed).']);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('partials do not leak between renders of different prompts (Handlebars keeps them globally)', async () => {
        const a = renderPrompt(PromptDocument.fromText('A {{> p}}'), { partials: memoryPartials({ p: 'from a' }) });
        const b = renderPrompt(PromptDocument.fromText('B {{> p}}'), { partials: memoryPartials({ p: 'from b' }) });
        assert.deepEqual([...texts((await a).messages), ...texts((await b).messages)], ['user: A from a', 'user: B from b']);
        // After both, `p` is unregistered again: a dynamic reference no longer finds it.
        const error = await renderError('{{> (lookup . "which")}}', { input: { which: 'p' } });
        assert.ok(error instanceof TemplateRenderError);
        assert.match(error.message, /partial p could not be found/);
    });

    test('malformed front matter: YAML error at its line and column, nothing rendered', async () => {
        const error = await renderError('---\nconfig:\n  temperature: [0.5\nname: x\n---\nHello');
        assert.ok(error instanceof FrontMatterError);
        assert.equal(error.path, '/prompts/test.prompt');
        assert.equal(where(error), '4:1');
        assert.match(error.message, /^\/prompts\/test\.prompt:4:1: /);
    });

    test('unclosed front matter and a non-mapping front matter are FrontMatterErrors', async () => {
        const unclosed = await renderError('---\nmodel: x\nHello');
        assert.ok(unclosed instanceof FrontMatterError);
        assert.equal(where(unclosed), '1:1');
        assert.match(unclosed.message, /never closed/);
        const list = await renderError('---\n- a\n- b\n---\nHello');
        assert.ok(list instanceof FrontMatterError);
        assert.equal(where(list), '2:1');
        const duplicate = await renderError('---\nmodel: a\nmodel: b\n---\nHello');
        assert.ok(duplicate instanceof FrontMatterError);
        assert.equal(where(duplicate), '3:1');
    });

    test('template syntax errors point into the file, past the front matter', async () => {
        const error = await renderError('---\nmodel: x\n---\n\nHello {{name}\n');
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(where(error), '5:13');
        const unclosed = await renderError('---\nmodel: x\n---\nA\n  {{#if flag}}\nB');
        assert.ok(unclosed instanceof TemplateSyntaxError);
        assert.equal(where(unclosed), '5:3');
        assert.match(unclosed.message, /\{\{#if\}\}` block opened here is never closed/);
    });

    test('unknown partial: PartialNotFoundError at the {{> name}}, naming the file to create', async () => {
        const error = await renderError('---\nmodel: x\n---\nHi\n  {{> persona}}');
        assert.ok(error instanceof PartialNotFoundError);
        assert.equal(error.partialName, 'persona');
        assert.equal(where(error), '5:7');
        assert.match(error.message, /create `_persona\.prompt` beside test\.prompt/);
    });

    test('a syntax error inside a partial points into the partial file', async () => {
        const error = await renderError('Hi {{> broken}}', {
            partials: async name => name === 'broken' ? { name, text: 'line one\n{{#each items}}x', path: '/prompts/_broken.prompt' } : undefined,
        });
        assert.ok(error instanceof TemplateSyntaxError);
        assert.equal(error.path, '/prompts/_broken.prompt');
        assert.equal(where(error), '2:1');
    });

    test('blocks nested deeper than the limit: a TemplateNestingError at the first block too deep, never a stack overflow', async () => {
        const nested = (levels: number) => `${'{{#if a}}'.repeat(levels)}x${'{{/if}}'.repeat(levels)}`;
        const rendered = await renderPrompt(PromptDocument.fromText(nested(maxTemplateNesting), '/prompts/test.prompt'), { partials: memoryPartials({}), input: { a: true } });
        assert.deepEqual(texts(rendered.messages), ['user: x']);
        for (const levels of [maxTemplateNesting + 1, 3000]) {
            const error = await renderError(`---\nmodel: x\n---\nHi\n${nested(levels)}`, { input: { a: true } });
            assert.ok(error instanceof TemplateNestingError, String(error));
            assert.equal(where(error), `5:${9 * maxTemplateNesting + 1}`);
            assert.match(error.message, new RegExp(`at most ${maxTemplateNesting} deep`));
        }
        const inPartial = await renderError('Hi {{> deep}}', {
            partials: async name => name === 'deep' ? { name, text: `one\n${nested(maxTemplateNesting + 1)}`, path: '/prompts/_deep.prompt' } : undefined,
        });
        assert.ok(inPartial instanceof TemplateNestingError);
        assert.equal(inPartial.path, '/prompts/_deep.prompt');
        assert.equal(where(inPartial), `2:${9 * maxTemplateNesting + 1}`);
    });

    test('unknown helpers and wrong helper arguments are caught before rendering', async () => {
        const unknown = await renderError('ok\n{{shout name}}');
        assert.ok(unknown instanceof TemplateSyntaxError);
        assert.equal(where(unknown), '2:3');
        assert.match(unknown.message, /Unknown helper `shout`/);
        const arity = await renderError('{{#ifEquals a}}x{{/ifEquals}}');
        assert.ok(arity instanceof TemplateSyntaxError);
        assert.match(arity.message, /takes 2 arguments/);
    });

    test('a template that throws inside Handlebars is a TemplateRenderError, not half-rendered text', async () => {
        const error = await renderError('before {{> (lookup . "which")}} after', { input: { which: 'nowhere' } });
        assert.ok(error instanceof TemplateRenderError);
        assert.match(error.message, /^\/prompts\/test\.prompt: Rendering failed: The partial nowhere could not be found/);
    });

    test('missing required inputs: MissingInputError at the schema field', async () => {
        const text = '---\ninput:\n  schema:\n    topic: string\n    audience?: string\n---\nAbout {{topic}}';
        const error = await renderError(text);
        assert.ok(error instanceof MissingInputError);
        assert.equal(error.inputPath, 'topic');
        assert.equal(where(error), '4:5');
        assert.match(error.message, /Missing required input `topic`/);
        // Given or defaulted, it renders; the optional one may be absent.
        const rendered = await renderPrompt(PromptDocument.fromText(text), { input: { topic: 'bees' } });
        assert.deepEqual(texts(rendered.messages), ['user: About bees']);
    });

    test('inputs of the wrong type: InvalidInputError', async () => {
        const error = await renderError('---\ninput:\n  schema:\n    count: integer\n---\n{{count}}', { input: { count: 'three' } });
        assert.ok(error instanceof InvalidInputError);
        assert.equal(where(error), '4:5');
        assert.match(error.message, /must be an integer; got "three"/);
    });

    test('schema errors point at the offending type', async () => {
        const error = await renderError('---\noutput:\n  schema:\n    name: string\n    age: numbr\n---\nx');
        assert.ok(error instanceof PromptSchemaError);
        assert.equal(where(error), '5:10');
        assert.match(error.message, /Unknown type `numbr`/);
        const paren = await renderError('---\noutput:\n  schema:\n    tags(list): string\n---\nx');
        assert.ok(paren instanceof PromptSchemaError);
        assert.equal(where(paren), '4:5');
    });

    test('output.schema comes back as JSON schema (Picoschema converted by Dotprompt)', async () => {
        const rendered = await renderPrompt(PromptDocument.fromText('---\noutput:\n  format: json\n  schema:\n    answer: string\n---\nQ'));
        assert.deepEqual(rendered.output, {
            format: 'json',
            schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false },
        });
    });
});
