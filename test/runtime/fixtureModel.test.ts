// The fixture models in the real node-llama-cpp, in-process: the vocabulary tokenizes English into word pieces
// and round-trips any text, the ChatML template is recognised, distributions are neither flat nor one-hot,
// the LoRA does what src/core/fixtures documents, and F16 / Q8_0 files decode the way our reader does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama, LlamaContextOptions, LlamaModel, Token } from 'node-llama-cpp';
import { FIRST_BYTE_ID, IM_START_ID, SPM_SPACE, fixtureVocabulary, LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT, writeFixtureModel } from '../../src/core/fixtures';
import { GgmlType, GgufFile, gguf, plainValue, readGgufHeader, writeGguf, type GgufTensorSource } from '../../src/core/gguf';
import { fixtureFile, fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath, otherFixtureModelPath } from '../support/fixtures';

type LlamaModule = typeof import('node-llama-cpp');

describe('fixture models in node-llama-cpp', () => {
    let llamaCpp: LlamaModule;
    let llama: Llama;
    let model: LlamaModel;
    let prompt: Token[];
    const llamaLog: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-fixture-runtime-'));

    before(async () => {
        llamaCpp = await import('node-llama-cpp');
        llama = await llamaCpp.getLlama({
            gpu: false,
            build: 'never',
            logLevel: llamaCpp.LlamaLogLevel.warn,
            logger: (_level, message) => { llamaLog.push(message); },
        });
        model = await llama.loadModel({ modelPath: await fixtureModelPath() });
        prompt = [model.tokens.bos!, ...model.tokenize(LORA_TEST_PROMPT)];
    });

    after(async () => {
        await model?.dispose();
        await llama?.dispose();
        rmSync(dir, { recursive: true, force: true });
    });

    /** Raw next-token logits after `tokens`, indexed by token id. */
    async function nextLogits(on: LlamaModel, tokens: Token[], options: Partial<LlamaContextOptions> = {}): Promise<Float64Array> {
        const context = await on.createContext({ contextSize: 256, threads: 1, ...options });
        try {
            const output = await context.getSequence().controlledEvaluate(
                tokens.map((token, i) => (i === tokens.length - 1 ? [token, { generateNext: { logits: true } }] : token)),
            );
            const logits = output[tokens.length - 1]?.next?.logits;
            assert.ok(logits, 'logits for the last position');
            assert.equal(logits.size, vocabularySize(on), 'a logit for every token');
            const result = new Float64Array(logits.size);
            for (const [token, logit] of logits) result[token] = logit;
            return result;
        } finally {
            await context.dispose();
        }
    }

    function vocabularySize(on: LlamaModel): number {
        return (on.fileInfo.metadata.tokenizer.ggml.tokens as readonly string[]).length;
    }

    function softmax(logits: Float64Array): Float64Array {
        const max = Math.max(...logits);
        const exp = logits.map(l => Math.exp(l - max));
        const sum = exp.reduce((a, b) => a + b, 0);
        return exp.map(e => e / sum);
    }

    const argmax = (values: ArrayLike<number>): number => {
        let best = 0;
        for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
        return best;
    };

    async function generate(tokens: Token[], count: number, sampling: { temperature: number; seed?: number }): Promise<Token[]> {
        const context = await model.createContext({ contextSize: 256, threads: 1 });
        try {
            const out: Token[] = [];
            for await (const token of context.getSequence().evaluate(tokens, { ...sampling, yieldEogToken: true })) {
                out.push(token);
                if (out.length === count) break;
            }
            return out;
        } finally {
            await context.dispose();
        }
    }

    test('English text becomes word pieces, and detokenizes back exactly', () => {
        const hello = model.tokenize('Hello world');
        const pieces = fixtureVocabulary().tokens;
        assert.deepEqual(hello.map(t => pieces[t]), [`${SPM_SPACE}Hello`, `${SPM_SPACE}world`], 'two word pieces');
        assert.equal(model.detokenize(hello), 'Hello world');
        const sentence = 'The quick brown fox jumps over the lazy dog.';
        const tokens = model.tokenize(sentence);
        assert.equal(tokens.length, 10, 'nine words and a full stop');
        assert.equal(model.detokenize(tokens), sentence);
        for (const text of ['running quickly, isn\'t it?', '  two  spaces\nand a newline\t', 'x = await fetch(url);']) {
            assert.equal(model.detokenize(model.tokenize(text)), text, JSON.stringify(text));
        }
    });

    test('characters outside the pieces fall back to byte tokens and still round-trip', () => {
        const text = 'café 正面 🙂';
        const tokens = model.tokenize(text);
        const bytes = tokens.filter(t => t >= FIRST_BYTE_ID && t < FIRST_BYTE_ID + 256);
        assert.equal(bytes.length, Buffer.byteLength('é正面🙂'), 'é, 正, 面 and 🙂 are byte tokens');
        assert.equal(model.detokenize(tokens), text);
    });

    test('ChatML: the template maps to ChatMLChatWrapper and its markers are single control tokens', () => {
        const wrapper = llamaCpp.resolveChatWrapper(model);
        assert.ok(wrapper instanceof llamaCpp.ChatMLChatWrapper, `got ${wrapper?.constructor.name}`);
        assert.deepEqual(model.tokenize('<|im_start|>', true), [IM_START_ID]);
        assert.ok(model.tokens.infill.prefix !== null && model.tokens.infill.suffix !== null && model.tokens.infill.middle !== null, 'FIM tokens are known');
    });

    test('next-token distributions are neither flat nor one-hot, and depend on the context', async () => {
        const contexts = [prompt, [model.tokens.bos!, ...model.tokenize('Hello world')], [model.tokens.bos!, ...model.tokenize('The quick brown fox jumps over the lazy')]];
        const distributions: Float64Array[] = [];
        for (const tokens of contexts) {
            const p = softmax(await nextLogits(model, tokens));
            const entropy = -p.reduce((sum, q) => sum + (q > 0 ? q * Math.log(q) : 0), 0);
            const top = Math.max(...p);
            assert.ok(top < 0.9 && top > 20 / p.length, `top probability ${top}`);
            assert.ok(entropy > 0.5 && entropy < Math.log(p.length) - 1, `entropy ${entropy} of max ${Math.log(p.length)}`);
            distributions.push(p);
        }
        assert.notEqual(argmax(distributions[0]!), argmax(distributions[1]!));
    });

    test('greedy generation is deterministic; sampling follows the seed', async () => {
        const a = await generate(prompt, 16, { temperature: 0 });
        const b = await generate(prompt, 16, { temperature: 0 });
        assert.deepEqual(a, b);
        assert.ok(new Set(a).size > 4, 'greedy output is not one token repeated');
        const seeded = async (seed: number) => model.detokenize(await generate(prompt, 16, { temperature: 1, seed }));
        assert.equal(await seeded(1), await seeded(1));
        const texts = new Set([await seeded(1), await seeded(2), await seeded(3)]);
        assert.equal(texts.size, 3, [...texts].join(' | '));
    });

    test(`the LoRA: scale 0 is the base model exactly, scale 1 makes "${LORA_BOOSTED_TOKEN.text}" greedy after "${LORA_TEST_PROMPT}"`, async () => {
        const lora = await fixtureLoraPath();
        const base = await nextLogits(model, prompt);
        assert.notEqual(argmax(base), LORA_BOOSTED_TOKEN.id, 'the base model does not already prefer the boosted token');
        assert.equal(model.detokenize([LORA_BOOSTED_TOKEN.id as Token]), LORA_BOOSTED_TOKEN.text.trimStart());
        const off = await nextLogits(model, prompt, { lora: { adapters: [{ filePath: lora, scale: 0 }] } });
        assert.deepEqual(off, base);
        const on = await nextLogits(model, prompt, { lora: { adapters: [{ filePath: lora, scale: 1 }] } });
        assert.equal(argmax(on), LORA_BOOSTED_TOKEN.id);
        const pOn = softmax(on)[LORA_BOOSTED_TOKEN.id]!;
        const gain = (l: Float64Array): number => l[LORA_BOOSTED_TOKEN.id]! - base[LORA_BOOSTED_TOKEN.id]!;
        assert.ok(pOn > 0.5 && pOn < 0.99, `boosted probability ${pOn} (logit +${gain(on)}): a clear winner, not the only token`);
        const half = await nextLogits(model, prompt, { lora: { adapters: [{ filePath: lora, scale: 0.5 }] } });
        assert.ok(Math.abs(gain(half) - gain(on) / 2) < 0.05 * gain(on), 'the shift scales linearly');
        let others = 0;
        for (let t = 0; t < base.length; t++) if (t !== LORA_BOOSTED_TOKEN.id && Math.abs(on[t]! - base[t]!) > 1e-4) others++;
        assert.ok(others > base.length / 2, 'the rest of the distribution moves too');
    });

    test('an adapter made for other dimensions is refused with a JS error, and the model keeps working', async () => {
        await assert.rejects(
            model.createContext({ contextSize: 256, threads: 1, lora: { adapters: [{ filePath: await otherFixtureLoraPath(), scale: 1 }] } }),
            /LoRA/,
        );
        assert.ok(llamaLog.some(line => /incorrect shape/.test(line)), 'llama.cpp logged the reason');
        const other = await llama.loadModel({ modelPath: await otherFixtureModelPath() });
        try {
            assert.equal(other.embeddingVectorSize, 32);
            await assert.rejects(other.createContext({ contextSize: 256, threads: 1, lora: { adapters: [{ filePath: await fixtureLoraPath(), scale: 1 }] } }), /LoRA/);
            const logits = await nextLogits(other, [other.tokens.bos!, ...other.tokenize('Hello')]);
            assert.ok(logits.every(Number.isFinite));
        } finally {
            await other.dispose();
        }
        assert.equal((await nextLogits(model, prompt)).length, vocabularySize(model));
    });

    test('node-llama-cpp\'s own GGUF parser reads the metadata we wrote', async () => {
        const path = await fixtureModelPath();
        const theirs = await llamaCpp.readGgufFileInfo(path, { readTensorInfo: true });
        const ours = await readGgufHeader(path);
        const flat = new Map<string, unknown>();
        const walk = (object: Record<string, unknown>, prefix: string): void => {
            for (const [key, value] of Object.entries(object)) {
                if (value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value as Record<string, unknown>, `${prefix}${key}.`);
                else flat.set(`${prefix}${key}`, value);
            }
        };
        walk(theirs.metadata as unknown as Record<string, unknown>, '');
        assert.deepEqual([...flat.keys()].sort(), [...ours.metadata.keys()].sort());
        for (const [key, value] of ours.metadata) {
            const expected = plainValue(value);
            const actual = flat.get(key);
            if (Array.isArray(expected)) assert.deepEqual([...(actual as unknown[])], expected, key);
            else assert.equal(actual, typeof expected === 'bigint' ? Number(expected) : expected, key);
        }
        assert.deepEqual(
            theirs.tensorInfo?.map(t => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.offset)]),
            ours.tensors.map(t => [t.name, t.shape, t.type, t.offset]),
        );
    });

    test('F16 and Q8_0 files compute what our reader decodes from them', async () => {
        for (const type of ['f16', 'q8_0'] as const) {
            const packed = await fixtureFile(`tiny-seed1-${type}.gguf`, path => writeFixtureModel(path, { type }));
            // The same weights, decoded by our reader and stored as F32: if our encoding disagreed with ggml's
            // (scale position, rounding, block layout), the two models would compute different functions.
            const unpacked = join(dir, `unpacked-${type}.gguf`);
            const file = await GgufFile.open(packed);
            const tensors: GgufTensorSource[] = [];
            for (const tensor of file.header.tensors) {
                tensors.push({ name: tensor.name, shape: tensor.shape, type: GgmlType.F32, data: await file.readTensor(tensor) });
            }
            const metadata = new Map(file.metadata);
            await file.close();
            metadata.set('general.file_type', gguf.u32(0));
            metadata.delete('general.quantization_version');
            await writeGguf(unpacked, { metadata, tensors });

            const packedModel = await llama.loadModel({ modelPath: packed });
            const unpackedModel = await llama.loadModel({ modelPath: unpacked });
            try {
                const exact: Partial<LlamaContextOptions> = { experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } as never;
                const a = await nextLogits(packedModel, prompt, exact);
                const b = await nextLogits(unpackedModel, prompt, exact);
                const f32 = await nextLogits(model, prompt, exact);
                const maxDiff = (x: Float64Array, y: Float64Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
                // ggml rounds activations to the weights' type inside matmuls (f16, or q8_0 blocks), so a small
                // difference remains (measured 0.011 for f16, 0.11 for q8_0); a layout mismatch would move logits
                // whose spread is ~3 by whole units.
                assert.ok(maxDiff(a, b) < (type === 'f16' ? 0.05 : 0.5), `${type}: packed vs decoded differ by ${maxDiff(a, b)}`);
                assert.ok(maxDiff(b, f32) < (type === 'f16' ? 0.1 : 1), `${type}: close to the f32 fixture (${maxDiff(b, f32)})`);
            } finally {
                await packedModel.dispose();
                await unpackedModel.dispose();
            }
        }
    });

    test('broken variants fail as documented: unknown architecture is a JS error; a missing feed_forward_length aborts llama.cpp', async () => {
        const unknown = await fixtureFile('tiny-arch-unknown.gguf', path => writeFixtureModel(path, { architecture: 'notallama' }));
        await assert.rejects(llama.loadModel({ modelPath: unknown }), /Failed to load model/);
        assert.ok(llamaLog.some(line => /unknown model architecture: 'notallama'/.test(line)), 'llama.cpp names the architecture');

        // In a child process: this one takes the whole process down, which is why the runtime must check first.
        const noFfn = await fixtureFile('tiny-no-ffn.gguf', path => writeFixtureModel(path, { omitKeys: ['llama.feed_forward_length'] }));
        const script = join(__dirname, '..', '..', '.cache', 'fixtures', `load-${process.pid}.mjs`);
        writeFileSync(script, `const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
await llama.loadModel({ modelPath: ${JSON.stringify(noFfn)} });
console.log('loaded');
`);
        try {
            const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
            assert.equal(child.stdout.includes('loaded'), false);
            assert.ok(child.signal === 'SIGABRT' || child.status === 134, `exit ${child.status} ${child.signal}: ${child.stderr.slice(-500)}`);
            assert.match(child.stderr, /GGML_ASSERT/);
        } finally {
            rmSync(script, { force: true });
        }
    });
});
