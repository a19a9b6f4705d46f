// Each optimizer step of the addon's trainer (src/runtime/native/modelTraining.cc) uses its own batch's gradient only.
// llama.cpp's ggml-opt of this tag keeps adding every step's gradient into the same accumulator when the graph is
// rebuilt per step (as llama.cpp's training graphs are); the trainer clears it after each step. With plain SGD
// (x ← x − α·g) the check is exact: two steps on windows A then B must land where one step on B lands when started
// from the weights after A. Were A's gradient still in the accumulator, the second step would move by α·(g_A + g_B).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixtureModel } from '../../src/core/fixtures';
import { readGgufTensor } from '../../src/core/gguf';
import { addonUnavailableReason, nativeTrainer } from '../../src/runtime/host/engine/llamaExtrasAddon';

const window = 256;
const learningRate = 0.05;

function randomWindow(seed: number, vocabulary: number): Int32Array {
    let state = seed >>> 0;
    const tokens = new Int32Array(window + 1);
    for (let i = 0; i < tokens.length; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        tokens[i] = 3 + (state % (vocabulary - 3));
    }
    return tokens;
}

describe('training steps', { skip: addonUnavailableReason() }, () => {
    let dir: string;
    let base: string;

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'promptscope-gradients-'));
        base = join(dir, 'base.gguf');
        await writeFixtureModel(base, { type: 'f32', seed: 5 });
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    test('a step uses its own gradient only: SGD on A then B equals SGD on B from the weights after A', async () => {
        const [afterA, afterAB, afterBFromA] = ['a.gguf', 'ab.gguf', 'b-from-a.gguf'].map(name => join(dir, name));
        const opened = await nativeTrainer.open(base, window, 1, 'sgd');
        const [a, b] = [randomWindow(1, opened.vocabularySize), randomWindow(2, opened.vocabularySize)];
        try {
            await nativeTrainer.run(a, true, learningRate, 0);
            await nativeTrainer.save(afterA);
            await nativeTrainer.run(b, true, learningRate, 0);
            await nativeTrainer.save(afterAB);
        } finally {
            await nativeTrainer.close();
        }
        await nativeTrainer.open(afterA, window, 1, 'sgd');
        try {
            await nativeTrainer.run(b, true, learningRate, 0);
            await nativeTrainer.save(afterBFromA);
        } finally {
            await nativeTrainer.close();
        }

        for (const name of ['blk.0.attn_q.weight', 'blk.1.ffn_down.weight', 'output.weight']) {
            const [start, twoSteps, oneStep] = await Promise.all([afterA, afterAB, afterBFromA].map(path => readGgufTensor(path, name)));
            let step = 0;
            let difference = 0;
            for (let i = 0; i < start.length; i++) {
                step = Math.max(step, Math.abs(oneStep[i]! - start[i]!));
                difference = Math.max(difference, Math.abs(twoSteps[i]! - oneStep[i]!));
            }
            assert.ok(step > 1e-6, `${name}: the step on B moved the weights (largest change ${step})`);
            assert.ok(difference <= 1e-3 * step, `${name}: two steps differ from one by ${difference}, the step itself is ${step}`);
        }
    });
});
