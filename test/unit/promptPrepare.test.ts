import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    FrontMatterError, PromptConfigError, PromptDocument, PromptReadError, UnsupportedContentError, analyzePrompt, checkConfig, configKeys,
    formatDiagnostic, memoryPartials, preparePrompt,
} from '../../src/core/prompt';
import { validateSampling } from '../../src/core/sampling/validateSampling';

const path = '/work/prompts/classify.prompt';

async function prepare(text: string, options: Parameters<typeof preparePrompt>[1] = {}) {
    return preparePrompt(PromptDocument.fromText(text, path), { partials: memoryPartials({}), ...options });
}

async function prepareError(text: string): Promise<PromptConfigError | UnsupportedContentError> {
    try {
        await prepare(text);
    } catch (error) {
        if (error instanceof PromptConfigError || error instanceof UnsupportedContentError) return error;
        throw error;
    }
    assert.fail('expected preparePrompt to fail');
}

describe('config → sampling options', () => {
    test('maps every config key, maxOutputTokens onto maxTokens', () => {
        const { sampling, issues } = checkConfig({
            temperature: 0.3, topK: 20, topP: 0.9, minP: 0.1, maxOutputTokens: 64, stopSequences: ['\n\n'],
            repeatPenalty: 1.2, repeatLastTokens: 32, seed: 7, logitBias: { 42: 'ban', 7: 1.5 }, grammar: 'root ::= "x"',
        });
        assert.deepEqual(issues, []);
        assert.deepEqual(sampling, {
            temperature: 0.3, topK: 20, topP: 0.9, minP: 0.1, maxTokens: 64, stopSequences: ['\n\n'],
            repeatPenalty: 1.2, repeatLastTokens: 32, seed: 7, logitBias: { 42: 'ban', 7: 1.5 }, grammar: 'root ::= "x"',
        });
        // The mapped options pass the runtime's own validation unchanged.
        assert.doesNotThrow(() => validateSampling(sampling));
        assert.equal(configKeys.length, Object.keys(sampling).length);
    });

    test('unknown keys are reported with a suggestion, never dropped silently', () => {
        const { sampling, issues } = checkConfig({ top_p: 0.5, temprature: 1, frobnicate: 2 });
        assert.deepEqual(sampling, {});
        assert.deepEqual(issues.map(i => [i.code, i.path.join('.'), i.suggestion]), [
            ['unknown-config-key', 'config.top_p', 'topP'],
            ['unknown-config-key', 'config.temprature', 'temperature'],
            ['unknown-config-key', 'config.frobnicate', undefined],
        ]);
    });

    test('out-of-range and mistyped values are errors naming the allowed range', () => {
        const { issues } = checkConfig({
            temperature: -0.1, topP: 1.5, topK: -1, minP: 1, maxOutputTokens: 0, seed: 1.5, stopSequences: 'END', repeatPenalty: 0,
        });
        assert.deepEqual(issues.map(i => [i.path[1], i.severity]), [
            ['temperature', 'error'], ['topP', 'error'], ['topK', 'error'], ['minP', 'error'],
            ['maxOutputTokens', 'error'], ['seed', 'error'], ['stopSequences', 'error'], ['repeatPenalty', 'error'],
        ]);
        assert.match(issues[1]!.message, /`topP` must be a number in \(0, 1\]; got 1\.5/);
        assert.match(issues[4]!.message, /an integer ≥ 1/);
    });
});

describe('preparePrompt', () => {
    test('gives chat messages, sampling with output.schema as jsonSchema, and typed settings', async () => {
        const prepared = await prepare([
            '---',
            'config:',
            '  temperature: 0',
            '  maxOutputTokens: 16',
            'output:',
            '  format: json',
            '  schema:',
            '    label(enum): [positive, negative]',
            'promptscope.strategy: self-consistency',
            'promptscope.samples: 5',
            'promptscope.answer.labels:',
            '  positive: [good, great]',
            '  negative: bad',
            'promptscope.answer.extractor: json-field',
            'promptscope.lora: [{path: adapters/style.gguf, scale: 0.5}, /abs/other.gguf]',
            'promptscope.variants: [classify.terse.prompt]',
            '---',
            '{{role "system"}}Classify.',
            '{{role "user"}}{{text}}',
        ].join('\n'), { input: { text: 'nice' } });
        assert.deepEqual(prepared.messages, [{ role: 'system', text: 'Classify.\n' }, { role: 'user', text: 'nice' }]);
        assert.deepEqual(prepared.sampling, {
            temperature: 0,
            maxTokens: 16,
            jsonSchema: { type: 'object', properties: { label: { enum: ['positive', 'negative'] } }, required: ['label'], additionalProperties: false },
        });
        assert.deepEqual(prepared.settings, {
            strategy: 'self-consistency',
            samples: 5,
            answer: { labels: { positive: ['good', 'great'], negative: ['bad'] }, extractor: 'json-field' },
            lora: [{ path: 'adapters/style.gguf', scale: 0.5 }, { path: '/abs/other.gguf' }],
            variants: ['classify.terse.prompt'],
        });
        assert.deepEqual(prepared.lora, [{ path: '/work/prompts/adapters/style.gguf', scale: 0.5 }, { path: '/abs/other.gguf' }]);
        assert.deepEqual(prepared.variants, ['/work/prompts/classify.terse.prompt']);
        assert.deepEqual(prepared.warnings, []);
    });

    test('format: text leaves the output unconstrained', async () => {
        const prepared = await prepare('---\noutput:\n  format: text\n  schema: {a: string}\n---\nHi');
        assert.equal(prepared.sampling.jsonSchema, undefined);
    });

    test('unknown config keys come back as positioned warnings with a fix', async () => {
        const prepared = await prepare('---\nconfig:\n  top_p: 0.5\n---\nHi');
        assert.equal(prepared.warnings.length, 1);
        const [warning] = prepared.warnings;
        assert.equal(warning!.code, 'unknown-config-key');
        assert.deepEqual(warning!.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 7 } });
        assert.deepEqual(warning!.fix, { title: 'Change to `topP`', newText: 'topP' });
        assert.deepEqual(prepared.sampling, {});
    });

    test('an out-of-range value stops the run with a PromptConfigError at the value', async () => {
        const error = await prepareError('---\nconfig:\n  temperature: 0.5\n  topP: 1.5\n---\nHi');
        assert.ok(error instanceof PromptConfigError);
        assert.equal(error.key, 'config.topP');
        assert.equal(`${error.line}:${error.column}`, '4:9');
        assert.match(error.message, /^\/work\/prompts\/classify\.prompt:4:9: `topP` must be a number in \(0, 1\]/);
    });

    test('overrides from the caller (CLI flags) are validated too', async () => {
        await assert.rejects(
            prepare('Hi', { metadata: { config: { temperature: -1 } } }),
            (error: unknown) => error instanceof PromptConfigError && error.range === undefined && /temperature/.test(error.message),
        );
        const prepared = await prepare('---\nconfig: {temperature: 0.9}\n---\nHi', { metadata: { config: { temperature: 0 } } });
        assert.equal(prepared.sampling.temperature, 0);
    });

    test('grammar together with output.schema is an error', async () => {
        const error = await prepareError('---\nconfig:\n  grammar: root ::= "a"\noutput:\n  schema: {a: string}\n---\nHi');
        assert.ok(error instanceof PromptConfigError);
        assert.equal(`${error.line}:${error.column}`, '3:3');
    });

    test('bad promptscope settings are errors at their key', async () => {
        const samples = await prepareError('---\npromptscope.samples: 0\n---\nHi');
        assert.ok(samples instanceof PromptConfigError);
        assert.equal(`${samples.line}:${samples.column}`, '2:22');
        const pattern = await prepareError('---\npromptscope.answer:\n  pattern: "answer: \\\\d+"\n---\nHi');
        assert.match(pattern.message, /needs a capture group/);
    });

    test('media and the tool role cannot reach a text model', async () => {
        const media = await prepareError('Look {{media url="https://example.invalid/cat.png"}}');
        assert.ok(media instanceof UnsupportedContentError);
        assert.match(media.message, /media/);
        const tool = await prepareError('{{role "tool"}}result');
        assert.ok(tool instanceof UnsupportedContentError);
    });

    test('history messages pass through {{history}} into chat turns', async () => {
        const prepared = await prepare('{{role "system"}}Be brief.\n{{history}}\n{{role "user"}}And now?', {
            messages: [
                { role: 'user', content: [{ text: 'Hi' }] },
                { role: 'model', content: [{ text: 'Hello!' }] },
            ],
        });
        assert.deepEqual(prepared.messages.map(m => m.role), ['system', 'user', 'model', 'user']);
        assert.equal(prepared.messages.at(-1)!.text, 'And now?');
    });
});

describe('preparePrompt sources: a path read once, a document in memory, raw text', () => {
    test('a .prompt path, its text as a document and the same text give the same preparation', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-prepare-'));
        try {
            const file = join(dir, 'ask.prompt');
            const text = '---\nconfig:\n  temperature: 0.2\n  colour: red\npromptscope.strategy: cot\n---\nAsk {{q}}';
            writeFileSync(file, text);
            const fromPath = await preparePrompt({ path: file }, { input: { q: 'why' } });
            const fromDocument = await preparePrompt({ document: PromptDocument.fromText(text, file) }, { input: { q: 'why' } });
            assert.equal(fromPath.kind, 'chat');
            assert.deepEqual({ ...fromPath, rendered: undefined }, { ...fromDocument, rendered: undefined });
            assert.equal(fromPath.file, file);
            assert.equal(fromPath.text, text);
            assert.equal(fromPath.strategy, 'cot');
            assert.equal(fromPath.promptHash, createHash('sha256').update(text).digest('hex'));
            assert.deepEqual(fromPath.warnings.map(w => formatDiagnostic(w, fromPath.file)), [`${file}:4:3: warning: Unknown config key \`colour\`: it is ignored.`]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('any other file, and --text, are raw text: one user message, no settings', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-prepare-'));
        try {
            const file = join(dir, 'notes.txt');
            writeFileSync(file, '---\nconfig: {temperature: 9}\n---\n{{x}}');
            const fromFile = await preparePrompt({ path: file }, { input: { x: 1 } });
            assert.equal(fromFile.kind, 'text');
            assert.equal(fromFile.file, file);
            assert.deepEqual(fromFile.messages, [{ role: 'user', text: '---\nconfig: {temperature: 9}\n---\n{{x}}' }]);
            assert.deepEqual([fromFile.sampling, fromFile.lora, fromFile.warnings, fromFile.strategy], [{}, [], [], undefined]);
            const fromText = await preparePrompt({ text: 'hello' });
            assert.deepEqual([fromText.kind, fromText.file, fromText.text, fromText.promptHash], ['text', undefined, 'hello', createHash('sha256').update('hello').digest('hex')]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('a file that cannot be read is a PromptReadError naming it', async () => {
        const missing = join(tmpdir(), 'promptscope-no-such-dir', 'gone.prompt');
        await assert.rejects(preparePrompt({ path: missing }), (error: unknown) =>
            error instanceof PromptReadError && error.message === `Cannot read ${missing}: no such file` && error.path === missing);
        // A folder is refused by the bounded reader before it is opened, naming the path.
        await assert.rejects(preparePrompt({ path: tmpdir() + '/' }), { name: 'NotARegularFileError', message: /prompt file .*: it is a folder, not a regular file/ });
    });

    test('every error the editor squiggles stops the run as a typed error at the same place', async () => {
        const text = '---\nmodel: [a, b]\nconfig:\n  temperature: 0\n---\nHi';
        const doc = PromptDocument.fromText(text, path);
        const [first] = (await analyzePrompt(doc)).filter(d => d.severity === 'error');
        await assert.rejects(preparePrompt(doc), (error: unknown) =>
            error instanceof FrontMatterError && error.range !== undefined
            && error.range.start.line === first!.range.start.line && error.detail === first!.message);
    });
});
