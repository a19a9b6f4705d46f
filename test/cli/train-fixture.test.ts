// `promptscope train-fixture`: the arithmetic task on a short schedule, end to end (base fixture, the prompt file
// rendered through the chat template for every example, llama.cpp's trainer, the composed model), resuming after the
// last finished epoch, and the mistakes a user can make named with their fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainValue, readGgufHeader } from '../../src/core/gguf';
import { runCli } from '../support/runCli';
import { ReferenceTensors } from '../support/reference/ReferenceTensors';

const dir = mkdtempSync(join(tmpdir(), 'promptscope-train-fixture-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const short = ['--examples', '60', '--validation', '12', '--epochs', '2', '--threads', '1'];

interface TrainedJson {
    model: string;
    seed: number;
    parameters: number;
    corpusSha256: string;
    epochs: { epoch: number; trainLoss: number; validationLoss: number }[];
}

test('arithmetic on a short schedule: the loss falls, the model carries its recipe and the base\'s metadata', async () => {
    const out = join(dir, 'arithmetic.gguf');
    const run = await runCli(['train-fixture', 'arithmetic', out, ...short, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as TrainedJson;
    assert.deepEqual(result.epochs.map(e => e.epoch), [0, 1]);
    assert.ok(result.epochs[1]!.trainLoss < result.epochs[0]!.trainLoss, JSON.stringify(result.epochs));
    assert.match(run.stderr, /epoch 2\/2: train loss/);
    const header = await readGgufHeader(out);
    const value = (key: string) => plainValue(header.metadata.get(key)!);
    assert.equal(value('promptscope.training.task'), 'arithmetic');
    assert.equal(value('promptscope.training.corpus_sha256'), result.corpusSha256);
    assert.equal(value('promptscope.training.command'), 'promptscope train-fixture arithmetic OUT.gguf --seed 1 --epochs 2 --examples 60 --validation 12');
    assert.equal(value('llama.context_length'), 2048, 'the base\'s context length, not the training window');
    assert.match(String(value('tokenizer.chat_template')), /im_start/);

    // The same command again: the folder holds a finished run, which only --resume may go on from.
    const again = await runCli(['train-fixture', 'arithmetic', out, ...short]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /holds a run that finished 2 epoch\(s\): pass --resume/);

    // As if stopped after epoch 1: --resume trains epoch 2 only, from the checkpoint.
    const statePath = `${out}.training/state.json`;
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { epochs: unknown[] };
    writeFileSync(statePath, JSON.stringify({ ...state, epochs: state.epochs.slice(0, 1) }));
    const resumed = await runCli(['train-fixture', 'arithmetic', out, ...short, '--resume', '--type', 'q8_0', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const small = await readGgufHeader(out);
    assert.equal(small.tensors.find(t => t.name === 'blk.0.attn_q.weight')!.type, 8, 'matrices in Q8_0');
    assert.equal(small.tensors.find(t => t.name === 'blk.0.attn_norm.weight')!.type, 0, 'norms stay F32');
    assert.match(String(plainValue(small.metadata.get('promptscope.training.command')!)), / --type q8_0$/);
    assert.match(resumed.stderr, /Resuming after epoch 1 of 2/);
    const resumedResult = JSON.parse(resumed.stdout) as TrainedJson;
    assert.equal(resumedResult.epochs.length, 2);
    assert.deepEqual(resumedResult.epochs[0], result.epochs[0]);

    // --resume with another recipe is refused rather than mixed.
    const other = await runCli(['train-fixture', 'arithmetic', out, ...short.slice(0, -2), '--threads', '1', '--examples', '61', '--resume']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /holds a run of another recipe/);
});

test('unknown tasks and bad numbers are usage errors naming what to give', async () => {
    const unknown = await runCli(['train-fixture', 'poetry', join(dir, 'x.gguf')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown task "poetry": the tasks are arithmetic/);
    const zero = await runCli(['train-fixture', 'arithmetic', join(dir, 'x.gguf'), '--epochs', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--epochs must be positive/);
    const window = await runCli(['train-fixture', 'arithmetic', join(dir, 'y.gguf'), ...short, '--window', '100']);
    assert.notEqual(window.code, 0);
    assert.match(window.stderr, /window of 100 tokens .* use a multiple of 256/);
});

test('attn_k and attn_v train on the patched libllama, and only decay without it', async () => {
    // Measured on the whole weight matrix: after training, how far it moved off the base's direction (the residual
    // after the best scaling, relative to the base's norm). node-llama-cpp's own libllama gives attn_k no gradient, so
    // AdamW's weight decay only scales it (residual ~1e-5); the patched one moves it like attn_q.
    const residual = async (base: string, trained: string, tensor: string) => {
        const a = await ReferenceTensors.open(base);
        const b = await ReferenceTensors.open(trained);
        const x = (await a.linear(tensor)).data;
        const y = (await b.linear(tensor)).data;
        let dot = 0, norm = 0;
        for (let i = 0; i < x.length; i++) { dot += x[i]! * y[i]!; norm += x[i]! * x[i]!; }
        let rest = 0;
        for (let i = 0; i < x.length; i++) rest += (y[i]! - (dot / norm) * x[i]!) ** 2;
        await Promise.all([a.close(), b.close()]);
        return Math.sqrt(rest / norm);
    };
    const quick = ['--examples', '40', '--validation', '8', '--epochs', '1', '--threads', '2'];
    const patched = join(dir, 'kv-patched.gguf');
    const plain = join(dir, 'kv-plain.gguf');
    const withPatch = await runCli(['train-fixture', 'arithmetic', patched, ...quick]);
    assert.equal(withPatch.code, 0, withPatch.stderr);
    const without = await runCli(['train-fixture', 'arithmetic', plain, ...quick, '--no-train-attention']);
    assert.equal(without.code, 0, without.stderr);
    for (const tensor of ['blk.0.attn_k', 'blk.0.attn_v', 'blk.1.attn_k']) {
        const moved = await residual(`${patched}.training/base.gguf`, patched, tensor);
        const decayed = await residual(`${plain}.training/base.gguf`, plain, tensor);
        assert.ok(moved > 1e-2, `${tensor} trained: residual ${moved}`);
        assert.ok(decayed < 1e-3, `${tensor} untrained without the patch: residual ${decayed}`);
    }
    assert.ok(await residual(`${plain}.training/base.gguf`, plain, 'blk.0.attn_q') > 1e-2, 'attn_q trains either way');
});
