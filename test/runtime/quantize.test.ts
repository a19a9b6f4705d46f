// Quantization through the runtime (the addon's llama_model_quantize, modelQuantize.cc) against llama.cpp's own
// llama-quantize built from the same source: the same bytes. Then progress, cancellation and the refusals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { QuantizeProgress } from '../../src/shared/runtimeApi';
import { CancelledError, ModelFileError, QuantizationError, UnsafePathError } from '../../src/shared/errors';
import { writeFixtureModel } from '../../src/core/fixtures';
import { fixtureFile, fixtureModelPath } from '../support/fixtures';
import { referenceTool } from '../support/referenceTools';
import { newClient } from './helpers';

const run = promisify(execFile);

describe('quantization', () => {
    let client: RuntimeClient;
    let model: string;
    let folder: string;

    before(async () => {
        model = await fixtureModelPath();
        folder = mkdtempSync(join(tmpdir(), 'promptscope-quantize-'));
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client.dispose();
        rmSync(folder, { recursive: true, force: true });
    });

    for (const type of ['Q8_0', 'Q4_0', 'Q4_K_M'] as const) {
        test(`${type}: the same bytes as llama.cpp's llama-quantize`, async () => {
            const ours = join(folder, `ours-${type}.gguf`);
            const progress: QuantizeProgress[] = [];
            const result = await client.quantizeModel({ input: model, output: ours, type, threads: 2 }, { onProgress: p => progress.push(p) });
            const theirs = join(folder, `theirs-${type}.gguf`);
            await run(await referenceTool('llama-quantize'), [model, theirs, type, '2']);
            assert.ok(readFileSync(ours).equals(readFileSync(theirs)), `${type}: our file differs from llama-quantize's`);
            assert.equal(result.output, ours);
            assert.equal(result.type, type);
            assert.equal(result.tensors, 21);
            assert.equal(result.outputBytes, readFileSync(ours).length);
            assert.ok(result.outputBytes < result.inputBytes);
            // The last report is the whole, and the counts never go back.
            assert.deepEqual(progress.at(-1), { phase: 'quantize', fraction: 1, tensorsDone: 21, tensorsTotal: 21 });
            progress.forEach((p, i) => assert.ok(i === 0 || p.tensorsDone >= progress[i - 1]!.tensorsDone));
            // No partial file is left beside it.
            assert.deepEqual(readdirSync(folder).filter(f => f.includes('partial')), []);
        });
    }

    test('the quantized model loads and generates; the loaded model is left as it was', async () => {
        const quantized = join(folder, 'ours-Q8_0.gguf');
        const other = newClient().client;
        try {
            const info = await other.loadModel({ model: quantized, gpu: 'off', threads: 1 });
            assert.equal(info.path, quantized);
            const completion = await other.complete({ prompt: 'The river', sampling: { temperature: 0, maxTokens: 4 } });
            assert.equal(completion.tokens.length, 4);
        } finally {
            await other.dispose();
        }
        assert.equal((await client.modelInfo())?.path, model);
    });

    test('cancelling stops before the next tensor and leaves no file', async () => {
        const large = await fixtureFile('quantize-cancel-100m.gguf', path => writeFixtureModel(path, { size: '100m' }));
        const output = join(folder, 'cancelled.gguf');
        const controller = new AbortController();
        const seen: QuantizeProgress[] = [];
        await assert.rejects(client.quantizeModel({ input: large, output, type: 'Q4_K_M', threads: 1 }, {
            signal: controller.signal,
            onProgress: p => {
                seen.push(p);
                if (p.tensorsDone >= 2) controller.abort();
            },
        }), CancelledError);
        assert.ok(seen.at(-1)!.tensorsDone < seen.at(-1)!.tensorsTotal, 'it stopped before the end');
        assert.equal(existsSync(output), false);
        assert.deepEqual(readdirSync(folder).filter(f => f.includes('partial')), []);
        // The runtime goes on: the next quantization runs.
        const after = await client.quantizeModel({ input: model, output: join(folder, 'after-cancel.gguf'), type: 'Q8_0' });
        assert.equal(after.tensors, 21);
    });

    test('refusals: a quantized input, an existing output, a link, the input itself, a file that is not a model', async () => {
        const q4 = join(folder, 'ours-Q4_0.gguf');
        await assert.rejects(client.quantizeModel({ input: q4, output: join(folder, 'requantized.gguf'), type: 'Q8_0' }), (error: unknown) => {
            assert.ok(error instanceof QuantizationError);
            assert.equal(error.reason, 'requantizing from type q4_0 is disabled');
            assert.match(error.message, /--allow-requantize/);
            return true;
        });
        assert.equal(existsSync(join(folder, 'requantized.gguf')), false);
        // Allowed, it is done.
        assert.equal((await client.quantizeModel({ input: q4, output: join(folder, 'requantized.gguf'), type: 'Q8_0', allowRequantize: true })).tensors, 21);

        const existing = join(folder, 'existing.gguf');
        writeFileSync(existing, 'keep me');
        await assert.rejects(client.quantizeModel({ input: model, output: existing, type: 'Q8_0' }), (error: unknown) =>
            error instanceof UnsafePathError && error.problem === 'the file exists');
        assert.equal(readFileSync(existing, 'utf8'), 'keep me');
        assert.equal((await client.quantizeModel({ input: model, output: existing, type: 'Q8_0', overwrite: true })).tensors, 21);

        const link = join(folder, 'link.gguf');
        const target = join(folder, 'target.txt');
        writeFileSync(target, 'not yours');
        symlinkSync(target, link);
        await assert.rejects(client.quantizeModel({ input: model, output: link, type: 'Q8_0', overwrite: true }), (error: unknown) =>
            error instanceof UnsafePathError && error.problem === 'it is a symbolic link');
        assert.equal(readFileSync(target, 'utf8'), 'not yours');

        await assert.rejects(client.quantizeModel({ input: model, output: model, type: 'Q8_0', overwrite: true }), (error: unknown) =>
            error instanceof UnsafePathError && error.problem === 'it is the input model itself');

        const text = join(folder, 'notes.gguf');
        writeFileSync(text, 'hello, not a model');
        await assert.rejects(client.quantizeModel({ input: text, output: join(folder, 'x.gguf'), type: 'Q8_0' }), ModelFileError);
        await assert.rejects(client.quantizeModel({ input: model, output: join(folder, 'missing-folder', 'x.gguf'), type: 'Q8_0' }), (error: unknown) =>
            error instanceof UnsafePathError && error.problem === 'its folder does not exist');
    });
});
