import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPromptWindow } from '../../src/core/inlineCompletion/fitPromptWindow';
import { frontMatterBodyLine } from '../../src/core/inlineCompletion/frontMatterBodyLine';
import { selectCompletionWindow } from '../../src/core/inlineCompletion/selectCompletionWindow';
import { trimCompletion } from '../../src/core/inlineCompletion/trimCompletion';

const lines = (text: string) => {
    const all = text.split('\n');
    return [all.length, (i: number) => all[i]!] as const;
};

describe('front matter by line', () => {
    test('no front matter: the body starts at line 0', () => {
        assert.equal(frontMatterBodyLine(...lines('Hello {{name}}\n---\nmore')), 0);
        assert.equal(frontMatterBodyLine(0, () => ''), 0);
    });

    test('the body starts after the closing fence; fences and YAML are front matter', () => {
        const text = '---\nmodel: x\nconfig:\n  temperature: 0\n---  \nHello\n';
        assert.equal(frontMatterBodyLine(...lines(text)), 5);
    });

    test('an unclosed front matter covers the whole file; a later --- after the body is not a fence', () => {
        assert.equal(frontMatterBodyLine(...lines('---\nmodel: x\nHello')), 3);
        assert.equal(frontMatterBodyLine(...lines('---\n---\nbody\n---\n')), 2);
        assert.equal(frontMatterBodyLine(...lines(' ---\nmodel: x\n---\n')), 0, 'the opening fence must be the first line');
    });
});

describe('completion window', () => {
    test('short body: the prefix is the body up to the cursor, the suffix the following lines', () => {
        const text = '---\na: 1\n---\nFirst line\nSecond li|ne\nThird\n';
        const bodyStart = text.indexOf('First');
        const cursor = text.indexOf('|');
        const source = text.replace('|', '');
        const window = selectCompletionWindow(source, bodyStart, cursor);
        assert.equal(window.prefix, 'First line\nSecond li');
        assert.equal(window.suffix, 'ne\nThird\n');
        assert.equal(window.restOfLine, 'ne');
        assert.equal(window.prefixStart, bodyStart);
    });

    test('a long body: the prefix starts at a line start, within maxPrefixChars, and stays put while typing', () => {
        const body = Array.from({ length: 200 }, (_, i) => `line ${i} of the body`).join('\n');
        let text = `---\nx: 1\n---\n${body}\n`;
        const bodyStart = text.indexOf('line 0');
        const starts = new Set<number>();
        for (const typed of 'hello there') {
            text += typed;
            const window = selectCompletionWindow(text, bodyStart, text.length, { maxPrefixChars: 1000, prefixStep: 250 });
            assert.ok(window.prefix.length <= 1000);
            assert.ok(window.prefix.length >= 1000 - 250 - 25, `prefix of ${window.prefix.length} characters`);
            assert.ok(window.prefixStart === 0 || text[window.prefixStart - 1] === '\n');
            assert.ok(window.prefix.endsWith(text.slice(-3)));
            starts.add(window.prefixStart);
        }
        assert.equal(starts.size, 1, 'typed characters moved the prefix start');
    });

    test('one line longer than the window starts inside the line', () => {
        const text = 'x'.repeat(5000);
        const window = selectCompletionWindow(text, 0, 5000, { maxPrefixChars: 1000, prefixStep: 100 });
        assert.ok(window.prefix.length <= 1000 && window.prefix.length > 900);
    });

    test('the suffix ends at a line end within maxSuffixChars, or is cut there when one line is longer', () => {
        const text = 'ab\ncd\nef\ngh';
        assert.equal(selectCompletionWindow(text, 0, 1, { maxSuffixChars: 5 }).suffix, 'b\ncd');
        assert.equal(selectCompletionWindow(text, 0, 1, { maxSuffixChars: 0 }).suffix, '');
        assert.equal(selectCompletionWindow('abcdefgh', 0, 1, { maxSuffixChars: 3 }).suffix, 'bcd');
        assert.equal(selectCompletionWindow('a\r\nb', 0, 1).restOfLine, '');
    });

    test('a cursor before the body is treated as the body start', () => {
        const window = selectCompletionWindow('---\n---\nbody', 8, 2);
        assert.equal(window.prefix, '');
        assert.equal(window.suffix, 'body');
    });
});

describe('trimming a completion', () => {
    const context = { prefix: 'The cat', restOfLine: '' };

    test('cuts at the end of the line or paragraph and drops trailing blanks', () => {
        assert.equal(trimCompletion(' sat on the mat.  \nThe dog', context), ' sat on the mat.');
        assert.equal(trimCompletion(' sat.\nThen\n\nmore', { ...context, stopAt: 'paragraph' }), ' sat.\nThen');
        assert.equal(trimCompletion(' sat.\r\nThen', context), ' sat.');
        assert.equal(trimCompletion(' sat.\nThen\n\n', { ...context, stopAt: 'none' }), ' sat.\nThen');
    });

    test('no second space after a prefix ending in one, or at a line start', () => {
        assert.equal(trimCompletion('  sat', { prefix: 'The cat ', restOfLine: '' }), 'sat');
        assert.equal(trimCompletion(' Hello', { prefix: 'x\n', restOfLine: '' }), 'Hello');
        assert.equal(trimCompletion(' sat', context), ' sat');
    });

    test('does not repeat what follows the cursor on the line', () => {
        assert.equal(trimCompletion('big dog}}', { prefix: '{{', restOfLine: ' dog}}' }), 'big');
        assert.equal(trimCompletion('name', { prefix: '{{', restOfLine: '}}' }), 'name');
    });

    test('nothing but blanks, or only a line break, is no completion', () => {
        assert.equal(trimCompletion('   ', context), '');
        assert.equal(trimCompletion('\nnext line', context), '');
        assert.equal(trimCompletion('', context), '');
    });
});

describe('fitting the prompt window into the context', () => {
    test('everything fits: nothing is dropped', () => {
        assert.deepEqual(fitPromptWindow({ prefixTokens: 100, suffixTokens: 20, budget: 1000 }), { prefixStart: 0, suffixCount: 20 });
    });

    test('the suffix is capped at its share and the prefix drops whole quanta at its start', () => {
        const window = fitPromptWindow({ prefixTokens: 1000, suffixTokens: 500, budget: 800, quantum: 64 });
        assert.equal(window.suffixCount, 0, 'the prefix alone overflows: the suffix goes first');
        assert.equal(window.prefixStart % 64, 0);
        assert.ok(1000 - window.prefixStart <= 800);
        const some = fitPromptWindow({ prefixTokens: 500, suffixTokens: 500, budget: 800 });
        assert.deepEqual(some, { prefixStart: 0, suffixCount: 200 });
    });

    test('the first kept prefix token stays the same while the prefix grows by a token at a time', () => {
        const starts = new Set<number>();
        for (let n = 1000; n < 1030; n++) starts.add(fitPromptWindow({ prefixTokens: n, suffixTokens: 0, budget: 900, quantum: 64 }).prefixStart);
        assert.ok(starts.size <= 2);
        assert.deepEqual([...starts].every(s => s % 64 === 0), true);
    });
});
