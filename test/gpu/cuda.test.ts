// The CUDA path, run by `npm run test:gpu` (scripts/test-gpu.mjs) on a machine with an NVIDIA GPU: the same fixture
// models on node-llama-cpp's CUDA binaries (its @node-llama-cpp/linux-x64-cuda packages), checked against the CPU
// host and the independent reference forward pass. Elsewhere the whole suite is skipped, saying why: it is not part
// of `npm test`, whose machines have no GPU.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelInfo, TokenProbabilitiesResult } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { fixtureArchitectures, writeFixtureModel, type FixtureArchitectureName } from '../../src/core/fixtures';
import { fixtureFile, fixtureModelPath } from '../support/fixtures';
import { loadReferenceModel, type ReferenceModel } from '../support/referenceModel';
import { greedy, newClient } from '../runtime/helpers';

const gpu = process.env.PROMPTSCOPE_TEST_GPU;
const skip = gpu === 'cuda' ? false : 'the CUDA suite runs through `npm run test:gpu` on a machine with an NVIDIA GPU';
const prompt = 'The river ran past the old stone mill and the quick brown fox';
/** The exact mode's bound (F32 KV cache, flash attention off) against the Float64 reference. */
const tolerance = 1e-4;

function worstLogprobError(result: TokenProbabilitiesResult, reference: ReferenceModel): number {
    const { logprobs } = reference.forward(result.tokens.map(t => t.id));
    let worst = 0;
    for (const row of result.tokens) {
        if (row.logprob === null) continue;
        const expected = logprobs[row.index - 1]!;
        worst = Math.max(worst, Math.abs(row.logprob - expected[row.id]!));
        for (const alt of row.top) worst = Math.max(worst, Math.abs(alt.logprob - expected[alt.id]!));
    }
    return worst;
}

describe('CUDA backend', { skip }, () => {
    let cuda: RuntimeClient;
    let cpu: RuntimeClient;
    let info: ModelInfo;
    let reference: ReferenceModel;

    before(async () => {
        const model = await fixtureModelPath();
        cuda = newClient().client;
        cpu = newClient().client;
        [info] = await Promise.all([cuda.loadModel({ model, gpu: 'cuda', threads: 1 }), cpu.loadModel({ model, gpu: 'off', threads: 1 })]);
        reference = await loadReferenceModel(model, { backend: 'gpu' });
    });

    after(async () => {
        await Promise.all([cuda?.dispose(), cpu?.dispose()]);
    });

    test('the model runs on CUDA with its layers offloaded', () => {
        assert.equal(info.backend, 'cuda');
        assert.ok(info.gpuLayers >= info.layers, `${info.gpuLayers} of ${info.layers} layers offloaded`);
    });

    test('greedy generation gives the CPU host\'s tokens', async () => {
        const request = { prompt, sampling: { ...greedy, maxTokens: 24 } };
        const [onGpu, onCpu] = await Promise.all([cuda.complete(request), cpu.complete(request)]);
        assert.deepEqual(onGpu.tokens, onCpu.tokens);
    });

    test('exact probabilities come from the GPU context and match the reference forward pass', async () => {
        const result = await cuda.tokenProbabilities({ prompt, generate: 8, sampling: greedy, topK: 10, exact: true });
        assert.equal(result.logitsSource, 'node-llama-cpp', 'a GPU model is read from its own (GPU) context, not the CPU addon');
        const worst = worstLogprobError(result, reference);
        process.stderr.write(`CUDA exact log-probabilities: max |Δ| vs reference ${worst.toExponential(2)}\n`);
        assert.ok(worst <= tolerance, `log-probabilities differ by ${worst}`);
    });

    test('label scoring on the GPU matches the reference', async () => {
        const tokens = await cuda.tokenize(prompt, { addBos: true });
        const result = await cuda.scoreContinuations({ prompt: tokens, continuations: [' the', ' banana', ' 正面'] });
        for (const score of result.scores) {
            const { logprobs } = reference.forward([...tokens, ...score.tokens]);
            const expected = score.tokens.reduce((sum, id, i) => sum + logprobs[tokens.length - 1 + i]![id]!, 0);
            assert.ok(Math.abs(score.logprob - expected) <= tolerance * score.tokens.length, `${score.text}: ${score.logprob} vs ${expected}`);
        }
    });

    test('attention comes from a CPU copy of the model, says so and why, and matches the reference', async () => {
        const result = await cuda.attention({ prompt });
        assert.deepEqual({ device: result.computedOn.device, copy: result.computedOn.copy }, { device: 'cpu', copy: true });
        assert.match(result.computedOn.reason ?? '', /cuda/);
        const expected = reference.forward(result.tokens.map(t => t.id)).attention;
        const T = result.tokens.length;
        let offset = 0;
        let worst = 0;
        for (const layer of result.layers) {
            for (let h = 0; h < result.heads; h++) {
                for (let q = 0; q < T; q++) {
                    for (let k = 0; k <= q; k++) worst = Math.max(worst, Math.abs(result.attention[offset++]! - expected[layer]![h]![q]![k]!));
                }
            }
        }
        assert.ok(worst <= tolerance, `attention differs by ${worst}`);
    });

    test('self-consistency paths on one GPU context equal the CPU host\'s paths', async () => {
        const request = { prompt, n: 4, sampling: { temperature: 0.9, seed: 7, maxTokens: 16 } };
        const [onGpu, onCpu] = await Promise.all([cuda.completeMany(request), cpu.completeMany(request)]);
        assert.deepEqual(onGpu.paths.map(p => p.tokens), onCpu.paths.map(p => p.tokens));
    });

    test('every family of the zoo: exact log-probabilities on CUDA match the reference', async () => {
        for (const arch of Object.keys(fixtureArchitectures) as FixtureArchitectureName[]) {
            const path = await fixtureFile(`zoo-${arch}-tiny.gguf`, p => writeFixtureModel(p, { arch }));
            const client = newClient().client;
            try {
                await client.loadModel({ model: path, gpu: 'cuda', threads: 1 });
                const result = await client.tokenProbabilities({ prompt, generate: 4, sampling: greedy, topK: 5, exact: true });
                // The GPU computes GELU in float32, not through the CPU's float16 table (test/support/reference/math.ts).
                const worst = worstLogprobError(result, await loadReferenceModel(path, { backend: 'gpu' }));
                process.stderr.write(`CUDA ${arch}: max |Δ| vs reference ${worst.toExponential(2)}\n`);
                assert.ok(worst <= tolerance, `${arch}: log-probabilities differ by ${worst}`);
            } finally {
                await client.dispose();
            }
        }
    });
});
