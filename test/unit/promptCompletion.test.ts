import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptDocument, configKeys, frontMatterCompletions, frontMatterHover } from '../../src/core/prompt';

/** Splits `text` at the `|` marking the cursor. */
function at(textWithCursor: string) {
    const offset = textWithCursor.indexOf('|');
    const doc = PromptDocument.fromText(textWithCursor.replace('|', ''));
    return { doc, position: doc.lines.positionAt(offset) };
}

function labels(textWithCursor: string): string[] | undefined {
    const { doc, position } = at(textWithCursor);
    return frontMatterCompletions(doc, position)?.items.map(i => i.label);
}

describe('front-matter completion', () => {
    test('top-level keys, including promptscope settings', () => {
        const items = labels('---\nmo|\n---\nHi')!;
        for (const key of ['model', 'config', 'input', 'output', 'promptscope.strategy', 'promptscope.samples']) assert.ok(items.includes(key), key);
    });

    test('config keys under config:, with allowed ranges as detail', () => {
        const { doc, position } = at('---\nconfig:\n  temperature: 1\n  to|\n---\nHi');
        const completions = frontMatterCompletions(doc, position)!;
        assert.deepEqual(completions.items.map(i => i.label), configKeys.map(k => k.key));
        assert.equal(completions.items.find(i => i.label === 'topP')!.detail, 'number, a number in (0, 1]');
        assert.deepEqual(completions.replace, { start: { line: 3, character: 2 }, end: { line: 3, character: 4 } });
        assert.equal(completions.items[0]!.insertText, 'temperature: ');
    });

    test('keys of input, output and promptscope.answer', () => {
        assert.deepEqual(labels('---\ninput:\n  |\n---\n'), ['default', 'schema']);
        assert.deepEqual(labels('---\noutput:\n  format: json\n  s|\n---\n'), ['format', 'schema']);
        assert.deepEqual(labels('---\npromptscope.answer:\n  |\n---\n'), ['extractor', 'marker', 'pattern', 'field', 'labels']);
    });

    test('enum values', () => {
        assert.deepEqual(labels('---\noutput:\n  format: |\n---\n'), ['json', 'text']);
        assert.deepEqual(labels('---\npromptscope.strategy: s|\n---\n'), ['direct', 'cot', 'self-consistency', 'ensemble', 'program-aided', 'tree-of-thought', 'self-ask']);
        assert.deepEqual(labels('---\npromptscope.answer:\n  extractor: |\n---\n'), ['last-number', 'choice', 'yes-no', 'marker', 'regex', 'json-field']);
    });

    test('works while the front matter is not closed yet, nothing in the body or inside values without enums', () => {
        assert.ok(labels('---\nconfig:\n  |')!.includes('topK'));
        assert.equal(labels('---\nmodel: x\n---\nHello |'), undefined);
        assert.equal(labels('---\nconfig:\n  temperature: |\n---\n'), undefined);
        assert.equal(labels('Hello |'), undefined);
    });
});

describe('front-matter hover', () => {
    function hover(textWithCursor: string) {
        const { doc, position } = at(textWithCursor);
        return frontMatterHover(doc, position);
    }

    test('explains config keys with range and default', () => {
        const result = hover('---\nconfig:\n  to|pP: 0.9\n---\nHi')!;
        assert.match(result.markdown, /^\*\*config\.topP\*\* — number, a number in \(0, 1\]; default 0\.95/);
        assert.deepEqual(result.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } });
    });

    test('unknown config keys suggest the right one', () => {
        assert.match(hover('---\nconfig:\n  top_|p: 0.9\n---\nHi')!.markdown, /Did you mean `topP`/);
    });

    test('top-level keys, sections and promptscope settings', () => {
        assert.match(hover('---\nmod|el: x\n---\n')!.markdown, /^\*\*model\*\*/);
        assert.match(hover('---\noutput:\n  sch|ema: {a: string}\n---\n')!.markdown, /^\*\*output\.schema\*\*/);
        assert.match(hover('---\npromptscope.str|ategy: cot\n---\n')!.markdown, /self-consistency/);
    });

    test('nothing over values or the body', () => {
        assert.equal(hover('---\nconfig:\n  topP: 0.|9\n---\nHi'), undefined);
        assert.equal(hover('---\nmodel: x\n---\nH|i'), undefined);
    });
});
