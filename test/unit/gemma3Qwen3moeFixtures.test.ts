// The gemma3 and qwen3moe families of the fixture zoo as written (their graphs are checked by
// test/runtime/architecture-zoo.test.ts): deterministic bytes, the keys and tensor shapes llama.cpp's loaders read,
// and the constant residual component 0 that the fixture LoRA relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgmlType, GgufFile, plainValue } from '../../src/core/gguf';
import { CONSTANT_DIMENSION_VALUE, writeFixtureModel, type FixtureArchitectureName } from '../../src/core/fixtures';
import { GEMMA3_SLIDING_WINDOW, GEMMA3_SWA_PATTERN } from '../../src/core/fixtures/architectures/gemma3Architecture';
import { QWEN3MOE_EXPERTS, QWEN3MOE_EXPERTS_USED } from '../../src/core/fixtures/architectures/qwen3moeArchitecture';

const dir = mkdtempSync(join(tmpdir(), 'promptscope-zoo-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function open(arch: FixtureArchitectureName, options: { seed?: number; type?: 'f32' | 'f16' | 'q8_0' } = {}): Promise<{ file: GgufFile; path: string; parameters: number }> {
    const path = join(dir, `${arch}-${options.seed ?? 1}-${options.type ?? 'f32'}.gguf`);
    const written = await writeFixtureModel(path, { arch, ...options });
    return { file: await GgufFile.open(path), path, parameters: written.parameters };
}

for (const arch of ['gemma3', 'qwen3moe'] as const) {
    test(`${arch}: the same options write the same bytes, another seed other weights; parameters count the tensors`, async () => {
        const a = await open(arch, { seed: 7 });
        const again = join(dir, `${arch}-again.gguf`);
        await writeFixtureModel(again, { arch, seed: 7 });
        const other = await open(arch, { seed: 8 });
        try {
            assert.deepEqual(readFileSync(a.path), readFileSync(again));
            assert.notDeepEqual(await a.file.readTensor('blk.0.attn_q.weight'), await other.file.readTensor('blk.0.attn_q.weight'));
            assert.equal(a.parameters, a.file.header.tensors.reduce((sum, t) => sum + t.elements, 0));
        } finally {
            await a.file.close();
            await other.file.close();
        }
    });
}

test('gemma3: sliding window and pattern, two RoPE bases, post-norms and Q/K norms, untied output', async () => {
    const { file } = await open('gemma3');
    try {
        const meta = (key: string): unknown => plainValue(file.metadata.get(key) ?? assert.fail(`missing ${key}`));
        assert.equal(meta('gemma3.attention.sliding_window'), GEMMA3_SLIDING_WINDOW);
        assert.equal(meta('gemma3.attention.sliding_window_pattern'), GEMMA3_SWA_PATTERN);
        assert.equal(meta('gemma3.rope.freq_base'), 1_000_000);
        assert.equal(meta('gemma3.rope.freq_base_swa'), 10_000);
        const shape = (name: string) => file.tensor(name).shape;
        for (const name of ['post_attention_norm', 'post_ffw_norm', 'attn_norm', 'ffn_norm']) assert.deepEqual(shape(`blk.1.${name}.weight`), [64]);
        assert.deepEqual(shape('blk.0.attn_q_norm.weight'), [16]);
        assert.deepEqual(shape('blk.0.attn_k_norm.weight'), [16]);
        assert.deepEqual(shape('output.weight'), shape('token_embd.weight'));
        // The graph scales embeddings by √n_embd: component 0 is CONSTANT_DIMENSION_VALUE after that, on every row.
        const embedding = await file.readTensor('token_embd.weight');
        for (let row = 0; row < embedding.length / 64; row++) assert.ok(Math.abs(embedding[row * 64]! * 8 - CONSTANT_DIMENSION_VALUE) < 1e-6);
        for (const name of ['blk.0.attn_output.weight', 'blk.1.ffn_down.weight']) {
            const values = await file.readTensor(name);
            assert.ok(values.subarray(0, file.tensor(name).shape[0]!).every(v => v === 0), `${name} never writes component 0`);
        }
    } finally {
        await file.close();
    }
});

test('qwen3moe: experts as 3-D tensors, an F32 router whatever the matrix type, expert counts', async () => {
    const { file } = await open('qwen3moe', { type: 'q8_0' });
    try {
        const meta = (key: string): unknown => plainValue(file.metadata.get(key) ?? assert.fail(`missing ${key}`));
        assert.equal(meta('qwen3moe.expert_count'), QWEN3MOE_EXPERTS);
        assert.equal(meta('qwen3moe.expert_used_count'), QWEN3MOE_EXPERTS_USED);
        const ff = 128 / QWEN3MOE_EXPERTS_USED;
        assert.equal(meta('qwen3moe.expert_feed_forward_length'), ff);
        assert.deepEqual(file.tensor('blk.0.ffn_gate_inp.weight').shape, [64, QWEN3MOE_EXPERTS]);
        assert.equal(file.tensor('blk.0.ffn_gate_inp.weight').type, GgmlType.F32);
        assert.equal(file.tensor('blk.0.ffn_up_exps.weight').type, GgmlType.Q8_0);
        assert.deepEqual(file.tensor('blk.1.ffn_gate_exps.weight').shape, [64, ff, QWEN3MOE_EXPERTS]);
        assert.deepEqual(file.tensor('blk.1.ffn_up_exps.weight').shape, [64, ff, QWEN3MOE_EXPERTS]);
        assert.deepEqual(file.tensor('blk.1.ffn_down_exps.weight').shape, [ff, 64, QWEN3MOE_EXPERTS]);
        assert.ok(!file.header.tensors.some(t => /ffn_(gate|up|down)\.weight$/.test(t.name)), 'no dense feed-forward next to the experts');
        // Row 0 of every expert's down projection is zero: no expert writes the constant component.
        const down = await file.readTensor('blk.1.ffn_down_exps.weight');
        for (let expert = 0; expert < QWEN3MOE_EXPERTS; expert++) {
            const start = expert * 64 * ff;
            assert.ok(down.subarray(start, start + ff).every(v => v === 0), `expert ${expert}`);
        }
    } finally {
        await file.close();
    }
});
