// Files a workspace names that must not be read whole, or at all: through the built CLI, each fails at once (before
// any model loads) with an error naming the file, instead of hanging on a FIFO or exhausting memory on /dev/zero.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxGrammarFileBytes } from '../../src/shared/limits';
import { fixtureModelPath } from '../support/fixtures';
import { runCli } from '../support/runCli';

const folder = mkdtempSync(join(tmpdir(), 'promptscope-bounded-cli-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** Fast: a read of /dev/zero took 12 s to die of std::bad_alloc; a blocked FIFO never ends. */
const fastMs = 10_000;

describe('bounded, non-blocking reads in the CLI', () => {
    test('run: a partial symlinked to /dev/zero exits 1 at once, naming the partial', async () => {
        writeFileSync(join(folder, 'zero.prompt'), 'Hello\n{{> zero}}\n');
        symlinkSync('/dev/zero', join(folder, '_zero.prompt'));
        const started = Date.now();
        const { code, stdout, stderr } = await runCli(['run', join(folder, 'zero.prompt'), '--model', await fixtureModelPath(), '--no-history']);
        assert.ok(Date.now() - started < fastMs, `took ${Date.now() - started} ms`);
        assert.equal(code, 1, stderr);
        assert.equal(stdout, '');
        assert.equal(stderr.trim(), `promptscope run: ${join(folder, 'zero.prompt')}:2:5: Partial \`zero\` cannot be read: Cannot read the partial `
            + `${join(folder, '_zero.prompt')}: it is a character device (through the symbolic link to /dev/zero), not a regular file. Replace it with a plain text file.`);
    });

    test('render: a prompt that is a FIFO exits 1 at once instead of waiting for a writer', async () => {
        const fifo = join(folder, 'pipe.prompt');
        execFileSync('mkfifo', [fifo]);
        const started = Date.now();
        const { code, stderr } = await runCli(['render', fifo]);
        assert.ok(Date.now() - started < fastMs);
        assert.equal(code, 1);
        assert.match(stderr, new RegExp(`Cannot read the prompt file ${fifo}: it is a FIFO \\(named pipe\\), not a regular file`));
    });

    test('a self-including partial names the chain, not "Maximum call stack size exceeded"', async () => {
        writeFileSync(join(folder, 'loop.prompt'), 'Start {{> outer}}');
        writeFileSync(join(folder, '_outer.prompt'), 'o {{> inner}}');
        writeFileSync(join(folder, '_inner.prompt'), 'i {{> outer}}');
        const { code, stderr } = await runCli(['render', join(folder, 'loop.prompt')]);
        assert.equal(code, 1);
        assert.match(stderr, /_inner\.prompt:1:7: Partial `outer` includes itself \(`outer` → `inner` → `outer`\)/);
        assert.doesNotMatch(stderr, /call stack/);
    });

    test('run --grammar: a grammar over its limit is refused with the size and the limit', async () => {
        const grammar = join(folder, 'huge.gbnf');
        writeFileSync(grammar, `root ::= "a"\n${'# padding\n'.repeat(maxGrammarFileBytes / 10 + 1)}`);
        const { code, stderr } = await runCli(['run', '--text', 'Hi', '--grammar', grammar, '--model', await fixtureModelPath(), '--no-history']);
        assert.equal(code, 2, stderr);
        assert.match(stderr, /--grammar .*huge\.gbnf: Cannot read the grammar file .*huge\.gbnf: it is [\d,]+ bytes \(1 MiB\), over the 1,048,576 bytes \(1 MiB\) limit for a grammar file/);
    });
});
