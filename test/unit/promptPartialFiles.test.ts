import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filePartials, preparePrompt, PromptError } from '../../src/core/prompt';
import { EmptyPromptError } from '../../src/core/prompt/errors/EmptyPromptError';
import { NulCharacterError } from '../../src/core/prompt/errors/NulCharacterError';
import { PartialCycleError } from '../../src/core/prompt/errors/PartialCycleError';
import { PartialReadError } from '../../src/core/prompt/errors/PartialReadError';

/** A fresh folder holding `files` (name → text). */
function folderWith(files: Record<string, string>): string {
    const folder = mkdtempSync(join(tmpdir(), 'promptscope-partials-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    return folder;
}

/** The error `promise` rejects with, failing if it takes longer than `ms` (a blocking read never settles). */
async function rejection(promise: Promise<unknown>, ms = 3000): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms); });
    try {
        await Promise.race([promise, timeout]);
    } catch (error) {
        return error;
    } finally {
        clearTimeout(timer);
    }
    assert.fail('expected a rejection');
}

describe('partials from disk, read asynchronously', () => {
    test('filePartials answers with a promise of the partial, BOM dropped; a missing one is undefined', async () => {
        const folder = folderWith({ '_persona.prompt': '\uFEFFa calm guide' });
        const lookup = filePartials(join(folder, 'main.prompt'));
        const pending = lookup('persona');
        assert.ok(pending instanceof Promise);
        assert.deepEqual(await pending, { name: 'persona', text: 'a calm guide', path: join(folder, '_persona.prompt') });
        assert.equal(await lookup('nobody'), undefined);
        assert.equal(await lookup('../escape'), undefined);
    });

    test('a prompt renders its partials read from disk', async () => {
        const folder = folderWith({ 'main.prompt': 'You are {{> persona}}.', '_persona.prompt': 'a calm guide' });
        const prepared = await preparePrompt({ path: join(folder, 'main.prompt') });
        assert.equal(prepared.messages.at(-1)?.text, 'You are a calm guide.');
    });

    test('a partial linked to /dev/zero fails fast, naming the partial and its link', async () => {
        const folder = folderWith({ 'main.prompt': 'Hi\n{{> zero}}' });
        symlinkSync('/dev/zero', join(folder, '_zero.prompt'));
        const error = await rejection(preparePrompt({ path: join(folder, 'main.prompt') }));
        assert.ok(error instanceof PartialReadError, String(error));
        assert.equal(error.partialName, 'zero');
        assert.equal(error.path, join(folder, 'main.prompt'));
        assert.equal(error.line, 2);
        assert.match(error.message, /Partial `zero` cannot be read: Cannot read the partial .*_zero\.prompt: it is a character device \(through the symbolic link to \/dev\/zero\)/);
    });

    test('a partial that is a FIFO fails fast instead of waiting for a writer', async () => {
        const folder = folderWith({ 'main.prompt': '{{> pipe}}' });
        execFileSync('mkfifo', [join(folder, '_pipe.prompt')]);
        const error = await rejection(preparePrompt({ path: join(folder, 'main.prompt') }));
        assert.ok(error instanceof PartialReadError);
        assert.match(error.message, /_pipe\.prompt: it is a FIFO/);
    });

    test('a partial that includes itself is a PartialCycleError naming the chain, not a stack overflow', async () => {
        const folder = folderWith({ 'main.prompt': 'Start {{> a}}', '_a.prompt': 'A {{> b}}', '_b.prompt': 'B\n{{> a}}', '_self.prompt': 'me {{> self}}' });
        const error = await rejection(preparePrompt({ path: join(folder, 'main.prompt') }));
        assert.ok(error instanceof PartialCycleError, String(error));
        assert.deepEqual(error.chain, ['a', 'b', 'a']);
        // Points at the include that closes the loop, in the partial that holds it.
        assert.equal(error.path, join(folder, '_b.prompt'));
        assert.equal(error.line, 2);
        assert.match(error.message, /Partial `a` includes itself \(`a` → `b` → `a`\)/);
        writeFileSync(join(folder, 'direct.prompt'), '{{> self}}');
        const direct = await rejection(preparePrompt({ path: join(folder, 'direct.prompt') }));
        assert.ok(direct instanceof PartialCycleError);
        assert.deepEqual(direct.chain, ['self', 'self']);
    });

    test('recursion under a condition that never ends is a PartialCycleError at render time', async () => {
        const folder = folderWith({ 'main.prompt': '{{> forever}}', '_forever.prompt': 'x{{#if true}}{{> forever}}{{/if}}' });
        const error = await rejection(preparePrompt({ path: join(folder, 'main.prompt') }), 10_000);
        assert.ok(error instanceof PartialCycleError, String(error));
        assert.deepEqual(error.chain, ['forever', 'forever']);
        assert.match(error.message, /recursed without end .*`forever` → `forever`/);
    });

    test('recursion under a condition that ends renders (a tree)', async () => {
        const folder = folderWith({
            'main.prompt': '---\ninput:\n  default:\n    name: root\n    children: [{name: leaf, children: []}]\n---\n{{> tree}}',
            '_tree.prompt': '({{name}}{{#each children}} {{> tree}}{{/each}})',
        });
        const prepared = await preparePrompt({ path: join(folder, 'main.prompt') });
        assert.equal(prepared.messages.at(-1)?.text, '(root (leaf))');
    });
});

describe('prompt files the reader or checks refuse, naming the file', () => {
    test('a NUL byte in a prompt names the file and the line', async () => {
        const folder = folderWith({ 'nul.prompt': '---\nmodel: x\n---\nHello\nthere\0', 'nul.txt': 'one\ntwo\0' });
        const error = await rejection(preparePrompt({ path: join(folder, 'nul.prompt') }));
        assert.ok(error instanceof NulCharacterError);
        assert.equal(error.path, join(folder, 'nul.prompt'));
        assert.equal(error.line, 5);
        assert.match(error.message, /nul\.prompt:5:6: The prompt holds a NUL byte at line 5, column 6/);
        const raw = await rejection(preparePrompt({ path: join(folder, 'nul.txt') }));
        assert.ok(raw instanceof NulCharacterError);
        assert.match(raw.message, /nul\.txt: the prompt holds a NUL byte on line 2/);
    });

    test('an empty or front-matter-only prompt is an EmptyPromptError naming the file', async () => {
        const folder = folderWith({ 'empty.prompt': '', 'blank.prompt': '  \n\n', 'header.prompt': '---\nmodel: x\nconfig:\n  temperature: 0\n---\n\n', 'empty.txt': '' });
        for (const name of ['empty.prompt', 'blank.prompt', 'empty.txt']) {
            const error = await rejection(preparePrompt({ path: join(folder, name) }));
            assert.ok(error instanceof EmptyPromptError, `${name}: ${String(error)}`);
            assert.ok(error.message.startsWith(join(folder, name)), error.message);
            assert.match(error.message, /the prompt is empty/);
        }
        const header = await rejection(preparePrompt({ path: join(folder, 'header.prompt') }));
        assert.ok(header instanceof EmptyPromptError && header instanceof PromptError);
        assert.match(header.message, /header\.prompt:\d+:\d+: the prompt has front matter but no template after it/);
    });
});
