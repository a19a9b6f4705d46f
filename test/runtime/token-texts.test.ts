// Token texts on the fixture model, whose SPM vocabulary has no Chinese or emoji pieces: those fall back to byte tokens
// (<0xE6> <0xAD> <0xA3> for 正), so every character of these texts is split over tokens. Checked against llama.cpp's
// detokenize and the fixture's own vocabulary, not against the code that makes the texts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { TokenProbabilitiesResult, TokenText } from '../../src/shared/runtimeApi';
import { BOS_ID, fixtureVocabulary, writeFixtureModel, type FixtureArchitectureName } from '../../src/core/fixtures';
import { plainValue, readGgufHeader } from '../../src/core/gguf';
import { fixtureFile, fixtureModelPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

/** The sentiment example's labels, emoji with a skin tone and a ZWJ family, and a combining accent. */
const tokenTextSample = '正面 负面 😀 👍🏽 👨\u200d👩\u200d👧 cafe\u0301 ok';

const vocabulary = fixtureVocabulary();
const utf8 = new TextEncoder();

/** The bytes the fixture's vocabulary piece stands for, read from the piece as SentencePiece spells it. */
function pieceBytes(id: number): number[] {
    const piece = vocabulary.tokens[id]!;
    const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
    if (byte) return [Number.parseInt(byte[1]!, 16)];
    return [...utf8.encode(piece.replace(/\u2581/g, ' '))];
}

/** Each texts' pieces name bytes of their character that are the token's own bytes. */
function assertPiecesMatchBytes(tokens: readonly ({ id: number } & TokenText)[]): void {
    for (const token of tokens) {
        if (token.pieces === undefined) continue;
        const own = pieceBytes(token.id);
        const fromPieces = token.pieces.flatMap(p => [...utf8.encode(p.character)].slice(p.from - 1, p.to));
        // A token that holds a whole character as well as pieces (not in an SPM byte fallback) would have more bytes.
        assert.deepEqual(fromPieces, own.slice(own.length - fromPieces.length), `token ${token.id} ${token.raw}`);
        assert.ok(token.pieces.every(p => p.of === utf8.encode(p.character).length));
    }
}

function assertNoReplacement(result: TokenProbabilitiesResult): void {
    for (const row of result.tokens) {
        assert.ok(!row.text.includes('\uFFFD'), `#${row.index} ${row.raw} shows U+FFFD`);
        for (const alt of [...row.top, ...(row.sampledTop ?? [])]) assert.ok(!alt.text.includes('\uFFFD'), `alternative ${alt.raw} at #${row.index}`);
    }
}

describe('token texts: exact bytes, split characters shown once', () => {
    let client: RuntimeClient;

    before(async () => {
        const model = await fixtureModelPath();
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client.dispose();
    });

    test('probabilities: the joined texts are llama.cpp\'s decoded text, raw pieces are the vocabulary\'s, no U+FFFD', async () => {
        const result = await client.tokenProbabilities({ prompt: tokenTextSample, topK: 10, sampling: greedy });
        const ids = result.tokens.map(t => t.id);
        assert.equal(ids[0], BOS_ID);
        assert.ok(ids.filter(id => /^<0x/.test(vocabulary.tokens[id]!)).length >= 30, 'the sample falls back to byte tokens');
        const decoded = await client.detokenize(ids, { specialTokens: true });
        assert.equal(decoded, `<s> ${tokenTextSample}`);
        assert.equal(result.tokens.map(t => t.text).join(''), decoded);
        for (const row of result.tokens) assert.equal(row.raw, vocabulary.tokens[row.id], `#${row.index}`);
        assertNoReplacement(result);
        assertPiecesMatchBytes(result.tokens);

        const zheng = result.tokens.findIndex(t => t.text === '正');
        assert.deepEqual(result.tokens.slice(zheng - 2, zheng + 1).map(t => [t.raw, t.text, t.pieces]), [
            ['<0xE6>', '', [{ character: '正', from: 1, to: 1, of: 3 }]],
            ['<0xAD>', '', [{ character: '正', from: 2, to: 2, of: 3 }]],
            ['<0xA3>', '正', [{ character: '正', from: 3, to: 3, of: 3 }]],
        ]);
        const shown = result.tokens.filter(t => t.text !== '').map(t => t.text);
        assert.ok(['负', '面', '😀', '👍', '🏽', '👩', '👧'].every(c => shown.includes(c)), shown.join('|'));
        assert.equal(result.tokens.find(t => t.text === '🏽')!.joinsPrevious, true, 'the skin tone joins the thumb');
        assert.equal(result.tokens.find(t => t.text === '\u0301')!.joinsPrevious, true, 'the accent joins its e');
        assert.equal(result.tokens.find(t => t.text === '😀')!.joinsPrevious, undefined);
    });

    test('alternatives are shown as they would stand: llama.cpp\'s text of the prefix with the candidate, past the prefix', async () => {
        const result = await client.tokenProbabilities({ prompt: 'Hello 正面, world', topK: 8, sampling: greedy });
        const ids = result.tokens.map(t => t.id);
        let compared = 0;
        for (const row of result.tokens.slice(1)) {
            const prefix = await client.detokenize(ids.slice(0, row.index), { specialTokens: true });
            if (prefix.includes('\uFFFD')) continue;
            for (const alt of row.top) {
                const withAlt = await client.detokenize([...ids.slice(0, row.index), alt.id], { specialTokens: true });
                if (withAlt.includes('\uFFFD')) {
                    assert.match(alt.text, /^(\\x[0-9A-F]{2})+$/, `${alt.raw} alone at #${row.index} is an escaped byte`);
                    assert.equal(alt.undecodable, true);
                    continue;
                }
                assert.equal(alt.text, withAlt.slice(prefix.length), `${alt.raw} at #${row.index}`);
                assert.equal(alt.raw, vocabulary.tokens[alt.id]);
                compared++;
            }
        }
        assert.ok(compared >= 40, `compared ${compared} alternatives`);
        assertNoReplacement(result);
    });

    test('a character split between the prompt and the generated tokens is shown once, on the generated token', async () => {
        const byteId = (byte: number) => vocabulary.tokens.indexOf(`<0x${byte.toString(16).toUpperCase()}>`);
        const prompt = await client.tokenize('Say', { addBos: true });
        const generated = [byteId(0xe6), byteId(0xad), byteId(0xa3), byteId(0xf0), byteId(0x9f)];
        // Biased up, two continuation bytes lead the sampler's distribution at every generated step.
        const sampling = { temperature: 1, seed: 1, logitBias: { [byteId(0xa3)]: 40, [byteId(0x9e)]: 39 } };
        const result = await client.tokenProbabilities({ prompt: [...prompt, generated[0]!], generated: generated.slice(1), generate: 4, topK: 5, sampling });
        const texts = result.tokens.map(t => t.text);
        assert.deepEqual(texts.slice(-5), ['', '', '正', '\\xF0', '\\x9F'], 'the emoji cut off by the end is escaped, not U+FFFD');
        assert.deepEqual(result.tokens.slice(-5).map(t => t.source), ['prompt', 'generated', 'generated', 'generated', 'generated']);
        assert.deepEqual(result.tokens.slice(-2).map(t => t.undecodable), [true, true]);
        assert.equal(texts.join(''), '<s> Say正\\xF0\\x9F');
        assertNoReplacement(result);
        // After <0xE6><0xAD>, a continuation byte finishes a character: the candidates show it (E6 AD 9E is 歞).
        const third = result.tokens.at(-3)!;
        const lead = (row: typeof third) => row.sampledTop!.slice(0, 2).sort((x, y) => x.raw.localeCompare(y.raw));
        assert.deepEqual(lead(third).map(a => [a.raw, a.text, a.pieces]), [
            ['<0x9E>', '歞', [{ character: '歞', from: 3, to: 3, of: 3 }]],
            ['<0xA3>', '正', [{ character: '正', from: 3, to: 3, of: 3 }]],
        ]);
        // After <0xE6> alone, the same bytes cannot finish anything yet: escaped.
        assert.deepEqual(lead(result.tokens.at(-4)!).map(a => a.text), ['\\x9E', '\\xA3']);
    });

    test('tokenPieces (playground, chat rendering) joins to the decoded text as well', async () => {
        const ids = await client.tokenize(tokenTextSample, { addBos: true });
        const pieces = await client.tokenPieces(ids);
        assert.equal(pieces.join(''), await client.detokenize(ids, { specialTokens: true }));
        assert.ok(!pieces.some(p => p.includes('\uFFFD')));
    });
});

// The zoo's tokenizers: byte-level BPE (llama3, qwen2: `Ġ` spaces, pieces holding part of a character) and the
// SentencePiece layouts of gemma3 and phi3, each checked against llama.cpp's decoding of the same tokens.
describe('token texts on the fixture zoo\'s tokenizers', () => {
    const text = 'Hello 正面 🙂 负面 👍🏽 cafe\u0301, world.\nok';

    for (const arch of ['llama3', 'qwen2', 'gemma3', 'phi3'] as const satisfies readonly FixtureArchitectureName[]) {
        test(`${arch}: joined texts are llama.cpp's decoded text, pieces are the file's, no U+FFFD`, async () => {
            const path = await fixtureFile(`token-texts-${arch}.gguf`, file => writeFixtureModel(file, { arch }));
            const header = await readGgufHeader(path);
            const pieces = plainValue(header.metadata.get('tokenizer.ggml.tokens')!) as string[];
            const byteLevel = plainValue(header.metadata.get('tokenizer.ggml.model')!) === 'gpt2';
            const { client } = newClient();
            try {
                await client.loadModel({ model: path, gpu: 'off', threads: 1 });
                // With BOS where the model has one: llama.cpp then keeps an SPM text's first space, as the tokens do.
                const result = await client.tokenProbabilities({ prompt: text, addBos: true, topK: 10, sampling: greedy });
                const ids = result.tokens.map(t => t.id);
                const decoded = await client.detokenize(ids, { specialTokens: true });
                assert.ok(decoded.endsWith(text), JSON.stringify(decoded));
                assert.equal(result.tokens.map(t => t.text).join(''), decoded);
                for (const row of result.tokens) {
                    assert.equal(row.raw, pieces[row.id], `#${row.index}`);
                    for (const alt of row.top) assert.equal(alt.raw, pieces[alt.id]);
                }
                assertNoReplacement(result);
                for (const character of ['正', '面', '🙂', '负', '👍', '🏽']) {
                    assert.ok(result.tokens.some(t => t.text.includes(character)), `${character} is shown`);
                }
                const split = result.tokens.filter(t => t.pieces !== undefined);
                assert.ok(split.length >= 6, 'characters split over tokens are marked');
                if (byteLevel) {
                    assert.ok(result.tokens.some(t => t.raw.startsWith('\u0120') && t.text.startsWith(' ')), 'Ġ is a space');
                    // 面 = E9 9D A2 as `éĿ` + `¢`: the first token holds two of its three bytes and shows nothing.
                    const first = result.tokens.find(t => t.raw === 'éĿ')!;
                    assert.deepEqual([first.text, first.pieces], ['', [{ character: '面', from: 1, to: 2, of: 3 }]]);
                    assert.equal(result.tokens[first.index + 1]!.text, '面');
                }
            } finally {
                await client.dispose();
            }
        });
    }
});
