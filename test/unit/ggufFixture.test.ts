import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgmlType, GgufFile, plainValue, readGgufHeader } from '../../src/core/gguf';
import {
    CONSTANT_DIMENSION_VALUE, LORA_BOOSTED_TOKEN, SPM_SPACE, TokenType, countParameters, fixturePresets, fixtureVocabulary,
    writeFixtureLora, writeFixtureModel,
} from '../../src/core/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'promptscope-fixture-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the same options write the same bytes; another seed writes other weights', async () => {
    const [a, b, c] = [join(dir, 'a.gguf'), join(dir, 'b.gguf'), join(dir, 'c.gguf')];
    await writeFixtureModel(a, { seed: 7 });
    await writeFixtureModel(b, { seed: 7 });
    await writeFixtureModel(c, { seed: 8 });
    assert.deepEqual(readFileSync(a), readFileSync(b));
    const [fa, fc] = [await GgufFile.open(a), await GgufFile.open(c)];
    try {
        assert.notDeepEqual(await fa.readTensor('blk.0.attn_q.weight'), await fc.readTensor('blk.0.attn_q.weight'));
    } finally {
        await fa.close();
        await fc.close();
    }
});

test('the tiny fixture has the shape issue 2 asks for and the metadata llama.cpp needs', async () => {
    const path = join(dir, 'tiny.gguf');
    const written = await writeFixtureModel(path);
    const header = await readGgufHeader(path);
    const meta = (key: string): unknown => plainValue(header.metadata.get(key) ?? assert.fail(`missing ${key}`));
    assert.equal(meta('general.architecture'), 'llama');
    assert.equal(meta('llama.embedding_length'), 64);
    assert.equal(meta('llama.block_count'), 2);
    assert.equal(meta('llama.attention.head_count'), 4);
    assert.equal(meta('llama.attention.head_count_kv'), 2);
    assert.equal(meta('llama.feed_forward_length'), 128);
    assert.equal(meta('llama.context_length'), 2048);
    assert.ok((meta('llama.attention.layer_norm_rms_epsilon') as number) > 0);
    assert.equal(meta('tokenizer.ggml.model'), 'llama');
    assert.match(meta('tokenizer.chat_template') as string, /<\|im_start\|>/);
    const tokens = meta('tokenizer.ggml.tokens') as string[];
    assert.equal((meta('tokenizer.ggml.token_type') as number[]).length, tokens.length);
    assert.equal(meta(`tokenizer.ggml.fim_pre_token_id`), tokens.indexOf('<|fim_prefix|>'));
    assert.equal(meta(`tokenizer.ggml.fim_suf_token_id`), tokens.indexOf('<|fim_suffix|>'));
    assert.equal(meta(`tokenizer.ggml.fim_mid_token_id`), tokens.indexOf('<|fim_middle|>'));
    assert.equal(written.dimensions.vocabularySize, tokens.length);
    assert.equal(written.parameters, header.tensors.reduce((sum, t) => sum + t.elements, 0));
    const output = header.tensors.find(t => t.name === 'output.weight');
    assert.deepEqual(output?.shape, [64, tokens.length]);
    assert.equal(output?.type, GgmlType.F32);
    assert.deepEqual(header.tensors.find(t => t.name === 'blk.1.attn_k.weight')?.shape, [64, 32]);
});

test('the vocabulary: specials, 256 byte tokens, ChatML controls, and prefix-closed word pieces', () => {
    const vocabulary = fixtureVocabulary();
    const { tokens, types, scores } = vocabulary;
    assert.deepEqual(tokens.slice(0, 3), ['<unk>', '<s>', '</s>']);
    assert.deepEqual(types.slice(0, 3), [TokenType.Unknown, TokenType.Control, TokenType.Control]);
    for (let byte = 0; byte < 256; byte++) {
        assert.equal(tokens[3 + byte], `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
        assert.equal(types[3 + byte], TokenType.Byte);
    }
    assert.equal(types[tokens.indexOf('<|im_start|>')], TokenType.Control);
    assert.equal(types[tokens.indexOf('<|im_end|>')], TokenType.Control);
    assert.equal(new Set(tokens).size, tokens.length, 'no duplicate pieces');
    const index = new Map(tokens.map((t, i) => [t, i]));
    for (let id = 0; id < tokens.length; id++) {
        if (types[id] !== TokenType.Normal) continue;
        const chars = Array.from(tokens[id]!);
        for (let n = 1; n < chars.length; n++) {
            const prefix = chars.slice(0, n).join('');
            assert.ok(index.has(prefix), `prefix ${prefix} of ${tokens[id]} is a piece`);
            assert.ok(scores[index.get(prefix)!]! < scores[id]!, `${tokens[id]} outscores its prefix ${prefix}`);
        }
    }
    for (const word of ['Hello', 'world', 'quick', 'the']) assert.ok(index.has(SPM_SPACE + word), word);
    assert.equal(tokens[LORA_BOOSTED_TOKEN.id], LORA_BOOSTED_TOKEN.piece);
    const big = fixtureVocabulary({ size: 32000 });
    assert.equal(big.tokens.length, 32000);
    assert.deepEqual(big.tokens.slice(0, tokens.length - 3), tokens.slice(0, -3), 'presets keep the tiny ids');
    assert.equal(fixtureVocabulary({ fim: false }).tokens.length, tokens.length - 3);
});

test('every layer leaves the constant dimension alone, and the LoRA reads it into the boosted token', async () => {
    const model = join(dir, 'const.gguf');
    const lora = join(dir, 'const-lora.gguf');
    await writeFixtureModel(model);
    await writeFixtureLora(lora);
    const file = await GgufFile.open(model);
    try {
        const embd = await file.readTensor('token_embd.weight');
        for (let token = 0; token < embd.length / 64; token++) assert.equal(embd[token * 64], CONSTANT_DIMENSION_VALUE);
        for (const name of ['blk.0.attn_output.weight', 'blk.1.ffn_down.weight']) {
            const tensor = file.tensor(name);
            const values = await file.readTensor(tensor);
            assert.ok(values.subarray(0, tensor.shape[0]).every(v => v === 0), `${name} row 0 is zero`);
        }
    } finally {
        await file.close();
    }
    const adapter = await readGgufHeader(lora);
    assert.equal(plainValue(adapter.metadata.get('general.type')!), 'adapter');
    assert.equal(plainValue(adapter.metadata.get('adapter.type')!), 'lora');
    assert.equal(plainValue(adapter.metadata.get('adapter.lora.alpha')!), 4);
    const vocab = fixtureVocabulary().tokens.length;
    assert.deepEqual(adapter.tensors.map(t => [t.name, t.shape]), [['output.weight.lora_a', [64, 4]], ['output.weight.lora_b', [4, vocab]]]);
});

test('presets have realistic parameter counts', () => {
    const p100 = countParameters(fixturePresets['100m']);
    const p400 = countParameters(fixturePresets['400m']);
    assert.ok(p100 >= 94e6 && p100 <= 130e6, `100m: ${p100}`);
    assert.ok(p400 >= 350e6 && p400 <= 450e6, `400m: ${p400}`);
});

test('broken variants for error tests: omitted keys and tensors, other architecture, bad dimensions', async () => {
    const path = join(dir, 'broken.gguf');
    await writeFixtureModel(path, { omitKeys: ['llama.feed_forward_length'], omitTensors: ['output_norm.weight'], architecture: 'llama' });
    let header = await readGgufHeader(path);
    assert.equal(header.metadata.has('llama.feed_forward_length'), false);
    assert.equal(header.tensors.some(t => t.name === 'output_norm.weight'), false);
    await writeFixtureModel(path, { architecture: 'notallama' });
    header = await readGgufHeader(path);
    assert.equal(plainValue(header.metadata.get('general.architecture')!), 'notallama');
    assert.ok(header.metadata.has('notallama.embedding_length'));
    await assert.rejects(writeFixtureModel(path, { dims: { headCount: 3 } }), /multiple of headCount/);
    await assert.rejects(writeFixtureModel(path, { size: 'huge' as never }), /unknown fixture size/);
    await assert.rejects(writeFixtureModel(path, { type: 'q4' as never }), /unknown tensor type/);
});

test('q8_0 and f16 fixtures store matrices quantized and norms as F32', async () => {
    for (const type of ['q8_0', 'f16'] as const) {
        const path = join(dir, `${type}.gguf`);
        await writeFixtureModel(path, { type });
        const header = await readGgufHeader(path);
        const expected = type === 'q8_0' ? GgmlType.Q8_0 : GgmlType.F16;
        assert.equal(header.tensors.find(t => t.name === 'blk.0.ffn_up.weight')?.type, expected);
        assert.equal(header.tensors.find(t => t.name === 'blk.0.ffn_norm.weight')?.type, GgmlType.F32);
        assert.equal(plainValue(header.metadata.get('general.file_type')!), type === 'q8_0' ? 7 : 1);
    }
});
