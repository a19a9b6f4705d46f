// `fixture-model --arch A --vocab N`: real vocabulary sizes are written exactly and quickly; a size the family's
// tokenizer cannot make is a usage error naming --vocab and the sizes that fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainValue, readGgufHeader } from '../../src/core/gguf';
import { FixtureVocabularySizeError } from '../../src/core/fixtures';
import { llama3Tokenizer } from '../../src/core/fixtures/tokenizers/llama3Tokenizer';
import { runCli } from '../support/runCli';

const dir = mkdtempSync(join(tmpdir(), 'promptscope-fixture-vocab-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--vocab 152064 for qwen2 and 262144 for gemma3 write exactly that many tokens, each in seconds', async () => {
    for (const [arch, vocab] of [['qwen2', 152064], ['gemma3', 262144], ['llama3', 128256]] as const) {
        const path = join(dir, `${arch}.gguf`);
        const run = await runCli(['fixture-model', path, '--arch', arch, '--vocab', String(vocab), '--json']);
        assert.equal(run.code, 0, run.stderr);
        const { model } = JSON.parse(run.stdout) as { model: { milliseconds: number; dimensions: { vocabularySize: number } } };
        assert.equal(model.dimensions.vocabularySize, vocab);
        const header = await readGgufHeader(path);
        assert.equal((plainValue(header.metadata.get('tokenizer.ggml.tokens')!) as string[]).length, vocab);
        assert.equal(header.tensors.find(t => t.name === 'token_embd.weight')?.shape[1], vocab);
        process.stderr.write(`fixture-model --arch ${arch} --vocab ${vocab}: ${Math.round(model.milliseconds)} ms\n`);
        assert.ok(model.milliseconds < 30_000, `${arch}: ${model.milliseconds} ms`);
        rmSync(path);
    }
});

test('a --vocab the tokenizer cannot make names the flag and the sizes that fit', async () => {
    const natural = llama3Tokenizer({}).vocabularySize;
    const small = await runCli(['fixture-model', join(dir, 'small.gguf'), '--arch', 'llama3', '--vocab', String(natural - 1)]);
    assert.equal(small.code, 2);
    assert.match(small.stderr, new RegExp(`--vocab ${natural - 1} does not fit the llama3 tokenizer: give at least ${natural} tokens`));
    const large = await runCli(['fixture-model', join(dir, 'large.gguf'), '--arch', 'gemma3', '--vocab', '1048576']);
    assert.equal(large.code, 2);
    assert.match(large.stderr, /--vocab 1048576 does not fit the gemma3 tokenizer: give from \d+ to \d+ tokens/);
    const error = (() => {
        try {
            llama3Tokenizer({ size: 10 });
        } catch (caught) {
            return caught;
        }
        return undefined;
    })();
    assert.ok(error instanceof FixtureVocabularySizeError);
    assert.deepEqual([error.requested, error.minimum, error.maximum], [10, natural, undefined]);
});
