// Full fine-tuning through the addon's trainer (src/runtime/native/modelTraining.cc, src/runtime/host/training/):
// on a tiny F32 fixture and a short schedule the loss falls, the same seed and threads give the same numbers, progress
// and cancellation work, and the checkpoint composed with the base's metadata loads as a model that has changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { TrainingProgress, TrainModelRequest } from '../../src/shared/runtimeApi';
import { writeFixtureModel } from '../../src/core/fixtures';
import { readGgufHeader, readGgufTensor, plainValue } from '../../src/core/gguf';
import { arithmeticProblems } from '../../src/core/training/arithmeticProblems';
import { composeTrainedModel } from '../../src/core/training/composeTrainedModel';
import { newClient } from './helpers';

describe('model training', () => {
    let client: RuntimeClient;
    let dir: string;
    let base: string;
    let train: number[][];
    let validation: number[][];

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'promptscope-training-'));
        base = join(dir, 'base.gguf');
        await writeFixtureModel(base, { type: 'f32', seed: 3 });
        ({ client } = newClient());
        await client.loadModel({ model: base, gpu: 'off', threads: 1 });
        const tokens = async (texts: string[]) => Promise.all(texts.map(text => client.tokenize(text, { addBos: true })));
        train = await tokens(arithmeticProblems(1, 240, false).map(p => `${p.question} ${p.solution}`));
        validation = await tokens(arithmeticProblems(1, 20, true).map(p => `${p.question} ${p.solution}`));
    });

    after(async () => {
        await client.dispose();
        rmSync(dir, { recursive: true, force: true });
    });

    const request = (checkpoint: string): TrainModelRequest => ({
        model: base, checkpoint, train, validation, window: 256, epochs: 3, learningRate: 3e-3, chunkWindows: 8, seed: 1, threads: 1,
    });

    test('the loss falls epoch by epoch; progress is reported per chunk and once per finished epoch', async () => {
        const checkpoint = join(dir, 'a.gguf');
        const updates: TrainingProgress[] = [];
        const result = await client.trainModel(request(checkpoint), { onProgress: update => updates.push(update) });
        assert.equal(result.epochs.length, 3);
        assert.ok(result.parameters > 100_000);
        assert.ok(result.windows.train > 8, `${result.windows.train} windows`);
        const [first, , last] = result.epochs;
        assert.ok(last!.trainLoss < first!.trainLoss - 0.5, `train loss ${first!.trainLoss} → ${last!.trainLoss}`);
        assert.ok(last!.validationLoss < first!.validationLoss, `validation loss ${first!.validationLoss} → ${last!.validationLoss}`);
        assert.ok(last!.validationAccuracy > first!.validationAccuracy);
        assert.ok(last!.learningRate < first!.learningRate, 'the learning rate decays');
        assert.deepEqual(updates.filter(u => u.completed).map(u => u.completed!.epoch), [0, 1, 2]);
        assert.ok(updates.every((u, i) => i === 0 || u.fraction >= updates[i - 1]!.fraction - 1e-9), 'progress never goes back');
        assert.ok(existsSync(checkpoint));

        // The same seed, threads and examples: the same numbers, to the last bit.
        const again = await client.trainModel(request(join(dir, 'b.gguf')));
        assert.deepEqual(again.epochs.map(e => [e.trainLoss, e.validationLoss]), result.epochs.map(e => [e.trainLoss, e.validationLoss]));

        // Resumed from the checkpoint after epoch 2 of 3 (startEpoch 2): the last epoch runs alone.
        const resumed = await client.trainModel({ ...request(join(dir, 'c.gguf')), model: checkpoint, startEpoch: 2 });
        assert.deepEqual(resumed.epochs.map(e => e.epoch), [2]);

        // The shipped file: the base's metadata (context length, tokenizer), the trained tensors, provenance.
        const out = join(dir, 'trained.gguf');
        await composeTrainedModel(base, checkpoint, out, 'trained test fixture', {
            task: 'test', seed: 1, corpusSha256: '0'.repeat(64), command: 'test', epochs: 3, validationLoss: last!.validationLoss,
        });
        const [baseHeader, header] = [await readGgufHeader(base), await readGgufHeader(out)];
        const value = (h: typeof header, key: string) => plainValue(h.metadata.get(key)!);
        assert.equal(value(header, 'llama.context_length'), value(baseHeader, 'llama.context_length'));
        assert.deepEqual(value(header, 'tokenizer.ggml.tokens'), value(baseHeader, 'tokenizer.ggml.tokens'));
        assert.equal(value(header, 'promptscope.training.task'), 'test');
        const changed = async (name: string) => {
            const [before, after] = [await readGgufTensor(base, name), await readGgufTensor(out, name)];
            return before.some((v, i) => v !== after[i]);
        };
        assert.ok(await changed('blk.0.attn_q.weight'), 'attention weights were trained');
        assert.ok(await changed('output.weight'), 'the output matrix was trained');
        // llama.cpp v0.5.0's llama_opt_init leaves tok_embd out of the parameters ("FIXME" in llama-context.cpp).
        assert.equal(await changed('token_embd.weight'), false);

        const info = await client.loadModel({ model: out, gpu: 'off', threads: 1 });
        assert.equal(info.name, 'trained test fixture');
        const probs = await client.tokenProbabilities({ prompt: train[0]!.slice(0, 24), topK: 1 });
        assert.equal(probs.tokens.length, 24);
        await client.loadModel({ model: base, gpu: 'off', threads: 1 });
    });

    test('cancelled between chunks: the request rejects, the checkpoint of a finished epoch stays', async () => {
        const controller = new AbortController();
        const checkpoint = join(dir, 'cancelled.gguf');
        const run = client.trainModel(request(checkpoint), {
            signal: controller.signal,
            onProgress: update => { if (update.completed) controller.abort(); },
        });
        await assert.rejects(run, (error: Error) => error.name === 'AbortError' || /abort|cancel/i.test(error.message));
        assert.ok(existsSync(checkpoint), 'epoch 1\'s checkpoint was written before the cancellation');
    });

    test('a schedule that does not fit is refused with what to change', async () => {
        await assert.rejects(client.trainModel({ ...request(join(dir, 'x.gguf')), startEpoch: 3 }), /startEpoch must be an epoch of the schedule \(0…2\)/);
        await assert.rejects(client.trainModel({ ...request(join(dir, 'x.gguf')), train: [[1, 2, 3]] }), /fewer than 257 tokens/);
        await assert.rejects(client.trainModel({ ...request(join(dir, 'x.gguf')), learningRate: 0 }), /learningRate must be positive/);
        await assert.rejects(client.trainModel({ ...request(join(dir, 'x.gguf')), window: 100 }), /window of 100 tokens .* use a multiple of 256/);
    });
});
