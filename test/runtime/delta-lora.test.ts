// A fine-tuning's weight change as a LoRA adapter (src/core/training/deltaLora.ts), applied by llama.cpp: at scale 1 the
// base with the adapter computes what the changed model computes, at scale 0 what the base computes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { LORA_TEST_PROMPT, SeededRandom, writeFixtureModel } from '../../src/core/fixtures';
import { GgufFile, writeGguf, type GgufTensorSource } from '../../src/core/gguf';
import { writeDeltaLora } from '../../src/core/training/deltaLora';
import { loadReferenceModel } from '../support/referenceModel';
import { compareProbabilities } from '../support/referenceComparisons';
import { newClient } from './helpers';

/** `base` with a rank-2 change added to every block matrix and, when `norm`, one norm vector scaled. */
async function fineTuned(base: string, out: string, norm: boolean): Promise<void> {
    const file = await GgufFile.open(base);
    const random = new SeededRandom(11, 'delta');
    const tensors: GgufTensorSource[] = [];
    for (const tensor of file.header.tensors) {
        const data = new Float32Array(await file.readTensor(tensor.name));
        if (tensor.name.startsWith('blk.') && tensor.shape.length === 2) {
            const [cols, rows] = tensor.shape as [number, number];
            const u = new Float32Array(rows * 2);
            const v = new Float32Array(cols * 2);
            random.fillUniform(u, 0.3);
            random.fillUniform(v, 0.3);
            for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c]! += u[r * 2]! * v[c * 2]! + u[r * 2 + 1]! * v[c * 2 + 1]!;
        }
        if (norm && tensor.name === 'blk.0.attn_norm.weight') data.forEach((x, i) => { data[i] = x * 1.5; });
        tensors.push({ name: tensor.name, shape: tensor.shape, type: tensor.type, data });
    }
    await writeGguf(out, { metadata: file.header.metadata, tensors, alignment: file.header.alignment });
    await file.close();
}

describe('LoRA adapter of a weight change', () => {
    let client: RuntimeClient;
    let dir: string;
    let base: string;

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'promptscope-delta-lora-'));
        base = join(dir, 'base.gguf');
        await writeFixtureModel(base, { type: 'f32', seed: 3 });
        ({ client } = newClient());
    });

    after(async () => {
        await client.dispose();
        rmSync(dir, { recursive: true, force: true });
    });

    test('rank ≥ the change\'s: llama.cpp with the adapter at scale 1 computes the changed model, at scale 0 the base', async () => {
        const tuned = join(dir, 'tuned.gguf');
        const adapter = join(dir, 'delta.gguf');
        await fineTuned(base, tuned, false);
        const written = await writeDeltaLora(base, tuned, adapter, { rank: 2, name: 'delta' });
        assert.ok(written.relativeError < 1e-5, `relative error ${written.relativeError}`);
        assert.deepEqual(written.notCarried, []);
        assert.ok(written.tensors.length > 0 && written.tensors.every(t => t.name.startsWith('blk.') === (t.deltaNorm > 0)), JSON.stringify(written.tensors));

        const changed = await loadReferenceModel(tuned);
        const unchanged = await loadReferenceModel(base);
        await client.loadModel({ model: base, gpu: 'off', threads: 1, lora: [{ path: adapter, scale: 1 }] });
        const one = await client.tokenProbabilities({ prompt: LORA_TEST_PROMPT, topK: 5 });
        const worst = compareProbabilities(one, changed, 5);
        assert.ok(worst.logprob <= 1e-3 && worst.top <= 1e-3, JSON.stringify(worst));
        assert.ok(compareProbabilities(one, unchanged, 5).logprob > 0.01, 'the change moves the distribution');
        await client.loadModel({ model: base, gpu: 'off', threads: 1, lora: [{ path: adapter, scale: 0 }] });
        const zero = await client.tokenProbabilities({ prompt: LORA_TEST_PROMPT, topK: 5 });
        const base0 = compareProbabilities(zero, unchanged, 5);
        assert.ok(base0.logprob <= 1e-4, JSON.stringify(base0));
    });

    test('a rank below the change\'s loses what the SVD says; a changed norm is reported as not carried', async () => {
        const tuned = join(dir, 'tuned-norm.gguf');
        await fineTuned(base, tuned, true);
        const written = await writeDeltaLora(base, tuned, join(dir, 'rank1.gguf'), { rank: 1, name: 'rank 1' });
        assert.ok(written.relativeError > 0.05 && written.relativeError < 1, `${written.relativeError}`);
        assert.deepEqual(written.notCarried.map(t => t.name), ['blk.0.attn_norm.weight']);
        assert.ok(Math.abs(written.notCarried[0]!.relativeChange - 0.5) < 1e-6);
        await assert.rejects(writeDeltaLora(base, await (async () => {
            const other = join(dir, 'other.gguf');
            await writeFixtureModel(other, { type: 'f32', seed: 3, dims: { embeddingLength: 32 } });
            return other;
        })(), join(dir, 'x.gguf'), { rank: 1, name: 'x' }), /not a fine-tuning/);
    });
});
