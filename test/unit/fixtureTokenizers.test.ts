// The tokenizer families of the fixture zoo as written: GPT-2's byte alphabet, the BPE merges (deterministic, valid,
// making the words they promise), exact --vocab sizes, and each family's special tokens and metadata. What llama.cpp
// makes of them is test/runtime/fixtureTokenizers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainValue, readGgufHeader, type GgufValue } from '../../src/core/gguf';
import { englishWords, suffixPieces } from '../../src/core/fixtures/englishWords';
import { TokenType, writeFixtureModel } from '../../src/core/fixtures';
import { bpeMerge, mergeKey } from '../../src/core/fixtures/tokenizers/bpeMerge';
import { byteLevelCharacter, byteLevelSpelling } from '../../src/core/fixtures/tokenizers/byteLevelSpelling';
import type { FixtureTokenizer, FixtureTokenizerFactory } from '../../src/core/fixtures/tokenizers/FixtureTokenizer';
import { gemmaTokenizer } from '../../src/core/fixtures/tokenizers/gemmaTokenizer';
import { LLAMA3_CHAT_TEMPLATE } from '../../src/core/fixtures/tokenizers/llama3ChatTemplate';
import { llama3Tokenizer } from '../../src/core/fixtures/tokenizers/llama3Tokenizer';
import { phi3Tokenizer } from '../../src/core/fixtures/tokenizers/phi3Tokenizer';
import { qwenTokenizer } from '../../src/core/fixtures/tokenizers/qwenTokenizer';

const dir = mkdtempSync(join(tmpdir(), 'promptscope-fixture-tokenizers-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const families: Record<string, FixtureTokenizerFactory> = { llama3: llama3Tokenizer, qwen: qwenTokenizer, gemma: gemmaTokenizer, phi3: phi3Tokenizer };

function entry(tokenizer: FixtureTokenizer, key: string): unknown {
    const found = tokenizer.metadata.find(([k]) => k === key);
    return found === undefined ? undefined : plainValue(found[1] as GgufValue);
}

const pieces = (tokenizer: FixtureTokenizer): string[] => entry(tokenizer, 'tokenizer.ggml.tokens') as string[];
const types = (tokenizer: FixtureTokenizer): number[] => entry(tokenizer, 'tokenizer.ggml.token_type') as number[];
const merges = (tokenizer: FixtureTokenizer): string[] => entry(tokenizer, 'tokenizer.ggml.merges') as string[];

/** GPT-2's bytes_to_unicode (encoder.py), transcribed: the printable bytes first, then the rest from U+0100. */
function gpt2BytesToUnicode(): { bytes: number[]; characters: string[] } {
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const bytes = [...range(0x21, 0x7e), ...range(0xa1, 0xac), ...range(0xae, 0xff)];
    const codes = [...bytes];
    let n = 0;
    for (let b = 0; b < 256; b++) {
        if (!bytes.includes(b)) {
            bytes.push(b);
            codes.push(256 + n++);
        }
    }
    return { bytes, characters: codes.map(c => String.fromCodePoint(c)) };
}

test('the byte-level alphabet is GPT-2\'s bytes_to_unicode, and the 256 byte tokens come first in GPT-2\'s order', () => {
    const gpt2 = gpt2BytesToUnicode();
    for (let i = 0; i < 256; i++) assert.equal(byteLevelCharacter(gpt2.bytes[i]!), gpt2.characters[i], `byte ${gpt2.bytes[i]}`);
    assert.equal(new Set(Array.from({ length: 256 }, (_, b) => byteLevelCharacter(b))).size, 256);
    assert.equal(byteLevelCharacter(0x20), 'Ġ');
    assert.equal(byteLevelCharacter(0x0a), 'Ċ');
    assert.throws(() => byteLevelCharacter(256), RangeError);
    assert.equal(byteLevelSpelling(' 正'), 'ĠæŃ£');
    assert.equal(byteLevelSpelling(Uint8Array.of(0xf0, 0x9f)), 'ðŁ');
    for (const factory of [llama3Tokenizer, qwenTokenizer]) {
        const tokenizer = factory({});
        // GPT-2's encoder.json (and Llama 3's) number the single bytes in bytes_to_unicode's order: `!` 0, `Ċ` 198, `Ġ` 220.
        assert.deepEqual(pieces(tokenizer).slice(0, 256), gpt2.characters);
        assert.equal(tokenizer.tokenId('!'), 0);
        assert.equal(tokenizer.tokenId('Ċ'), 198);
        assert.equal(tokenizer.tokenId('Ġ'), 220);
    }
});

test('bpeMerge merges the lowest-ranked pair first, the leftmost of equal pairs, until no pair has a rank', () => {
    const ranks = (...keys: string[]) => new Map(keys.map((key, rank) => [key, rank]));
    assert.deepEqual(bpeMerge('abc', ranks('a b', 'b c')), ['ab', 'c']);
    assert.deepEqual(bpeMerge('abc', ranks('b c', 'a b')), ['a', 'bc']);
    assert.deepEqual(bpeMerge('aaa', ranks('a a')), ['aa', 'a']);
    assert.deepEqual(bpeMerge('aaaa', ranks('a a')), ['aa', 'aa']);
    assert.deepEqual(bpeMerge('aaaa', ranks('a a', 'aa aa')), ['aaaa']);
    assert.deepEqual(bpeMerge('abcd', ranks('c d', 'a b', 'ab cd', 'b c')), ['abcd']);
    assert.deepEqual(bpeMerge('', ranks('a b')), []);
    assert.equal(mergeKey('Ġ', 'banana'), 'Ġ banana');
});

test('byte-level BPE: the same options give the same pieces and merges; every merge joins two tokens into a token', () => {
    for (const factory of [llama3Tokenizer, qwenTokenizer]) {
        const a = factory({});
        const b = factory({});
        assert.deepEqual(pieces(a), pieces(b));
        assert.deepEqual(merges(a), merges(b));
        const known = new Set(pieces(a));
        assert.equal(known.size, pieces(a).length, 'no piece twice');
        assert.equal(new Set(merges(a)).size, merges(a).length, 'no merge twice');
        for (const merge of merges(a)) {
            const [left, right, ...rest] = merge.split(' ');
            assert.equal(rest.length, 0, merge);
            assert.ok(known.has(left!) && known.has(right!) && known.has(left! + right!), merge);
        }
        // Every piece past the bytes is made by some merge, so BPE can reach it.
        const made = new Set(merges(a).map(m => m.replace(' ', '')));
        const specials = types(a).filter(t => t === TokenType.Control).length;
        for (const piece of pieces(a).slice(256, pieces(a).length - specials)) assert.ok(made.has(piece), piece);
    }
});

test('byte-level BPE makes each English word one token, bare and after a space, and splits 面 and 🙂 across two tokens', () => {
    const tokenizer = llama3Tokenizer({});
    const ranks = new Map(merges(tokenizer).map((merge, rank) => [merge, rank]));
    const tokenize = (text: string | Uint8Array) => bpeMerge(byteLevelSpelling(text), ranks);
    for (const word of englishWords.flatMap(w => [w, w[0]!.toUpperCase() + w.slice(1)])) {
        assert.deepEqual(tokenize(word), [byteLevelSpelling(word)]);
        assert.deepEqual(tokenize(` ${word}`), [`Ġ${byteLevelSpelling(word)}`]);
    }
    for (const suffix of suffixPieces) assert.equal(tokenize(suffix).length, 1, suffix);
    for (let n = 0; n < 100; n++) assert.equal(tokenize(String(n).padStart(2, '0')).length, 1);
    assert.equal(tokenizer.tokenId(tokenizer.wordPiece(' banana')), tokenizer.tokenId('Ġbanana'));
    assert.deepEqual(tokenize('正'), [byteLevelSpelling('正')]);
    assert.deepEqual(tokenize('负'), [byteLevelSpelling('负')]);
    assert.deepEqual(tokenize('面'), ['éĿ', '¢'], '面 is E9 9D A2: the first two bytes merge, the last stays alone');
    assert.deepEqual(tokenize('🙂'), ['ðŁĻ', 'Ĥ'], '🙂 is F0 9F 99 82: three bytes merge, the last stays alone');
    assert.deepEqual(tokenize('😀'), [byteLevelSpelling('😀')]);
    assert.deepEqual(tokenize('e\u0301'), ['e', byteLevelSpelling('\u0301')], 'a combining accent is its own token');
});

test('--vocab sizes are exact for every family; the special tokens keep their places; too small a size names the minimum', () => {
    for (const [name, factory] of Object.entries(families)) {
        const natural = factory({});
        assert.equal(pieces(natural).length, natural.vocabularySize, name);
        for (const size of [natural.vocabularySize, natural.vocabularySize + 1, 5000, 32064]) {
            const sized = factory({ size });
            assert.equal(sized.vocabularySize, size, `${name} ${size}`);
            assert.equal(pieces(sized).length, size);
            assert.equal(types(sized).length, size);
            assert.equal(new Set(pieces(sized)).size, size, `${name} ${size}: distinct pieces`);
            const scores = entry(sized, 'tokenizer.ggml.scores') as number[] | undefined;
            if (scores) assert.equal(scores.length, size);
            // Specials before the pieces keep their ids; specials after them keep their distance from the end.
            for (const [a, b] of [[natural.eos, sized.eos], [natural.endOfTurn, sized.endOfTurn]] as const) {
                assert.equal(pieces(sized)[b], pieces(natural)[a]);
                assert.ok(a === b || natural.vocabularySize - a === size - b, `${name} ${size}: ${pieces(natural)[a]} at ${b}`);
            }
            assert.equal(sized.tokenId(natural.wordPiece(' banana')), natural.tokenId(natural.wordPiece(' banana')), 'word pieces keep their ids');
        }
        assert.throws(() => factory({ size: natural.vocabularySize - 1 }), new RegExp(`at least ${natural.vocabularySize} tokens, ${natural.vocabularySize - 1} asked`));
    }
});

test('real vocabulary sizes: 152064 (Qwen 2.5) for the BPE and Phi-3 families, 262144 (Gemma 3) for Gemma\'s', () => {
    for (const [name, size] of [['qwen', 152064], ['llama3', 128256], ['phi3', 152064], ['gemma', 262144]] as const) {
        const started = performance.now();
        const tokenizer = families[name]!({ size });
        const ms = performance.now() - started;
        assert.equal(tokenizer.vocabularySize, size);
        assert.equal(new Set(pieces(tokenizer)).size, size, `${name}: distinct pieces`);
        if (name === 'qwen' || name === 'llama3') {
            const natural = families[name]!({});
            assert.equal(merges(tokenizer).length, merges(natural).length + size - natural.vocabularySize, 'one merge per synthetic piece');
            assert.ok(new Set(pieces(tokenizer)).has(merges(tokenizer).at(-1)!.replace(' ', '')), 'the last merge makes a token');
        }
        assert.ok(ms < 15_000, `${name} at ${size}: ${Math.round(ms)} ms`);
    }
});

test('each family\'s special tokens, ids and tokenizer metadata', () => {
    const expect: Record<string, { model: string; pre?: string; bos: string; eos: string; endOfTurn: string; addBos: boolean; spacePrefix?: boolean; fim?: [string, string, string]; controls: string[] }> = {
        llama3: {
            model: 'gpt2', pre: 'llama-bpe', bos: '<|begin_of_text|>', eos: '<|end_of_text|>', endOfTurn: '<|eot_id|>', addBos: true,
            controls: ['<|begin_of_text|>', '<|end_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
        },
        qwen: {
            model: 'gpt2', pre: 'qwen2', bos: '<|endoftext|>', eos: '<|im_end|>', endOfTurn: '<|im_end|>', addBos: false,
            fim: ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
            controls: ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>'],
        },
        gemma: {
            model: 'llama', bos: '<bos>', eos: '<eos>', endOfTurn: '<end_of_turn>', addBos: true, spacePrefix: false,
            fim: ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
            controls: ['<pad>', '<eos>', '<bos>', '<start_of_turn>', '<end_of_turn>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>'],
        },
        phi3: {
            model: 'llama', bos: '<s>', eos: '<|endoftext|>', endOfTurn: '<|end|>', addBos: false, spacePrefix: true,
            controls: ['<s>', '</s>', '<|endoftext|>', '<|assistant|>', '<|system|>', '<|end|>', '<|user|>'],
        },
    };
    for (const [name, factory] of Object.entries(families)) {
        const e = expect[name]!;
        const tokenizer = factory({});
        const id = (piece: string) => tokenizer.tokenId(piece);
        assert.equal(entry(tokenizer, 'tokenizer.ggml.model'), e.model, name);
        assert.equal(entry(tokenizer, 'tokenizer.ggml.pre'), e.pre, name);
        assert.equal(entry(tokenizer, 'tokenizer.ggml.bos_token_id'), id(e.bos), name);
        assert.equal(entry(tokenizer, 'tokenizer.ggml.eos_token_id'), id(e.eos), name);
        assert.equal(entry(tokenizer, 'tokenizer.ggml.eot_token_id'), id(e.endOfTurn), name);
        assert.equal(tokenizer.eos, id(e.eos));
        assert.equal(tokenizer.endOfTurn, id(e.endOfTurn));
        assert.equal(entry(tokenizer, 'tokenizer.ggml.add_bos_token'), e.addBos, name);
        assert.equal(entry(tokenizer, 'tokenizer.ggml.add_space_prefix'), e.spacePrefix, name);
        const controls = pieces(tokenizer).filter((_, i) => types(tokenizer)[i] === TokenType.Control);
        assert.deepEqual(controls, e.controls, `${name}: the CONTROL tokens, in id order`);
        assert.match(entry(tokenizer, 'tokenizer.chat_template') as string, new RegExp(e.endOfTurn.replace(/[|]/g, '\\|')), `${name}: the template ends turns with ${e.endOfTurn}`);
        if (e.fim) {
            assert.deepEqual(tokenizer.fim, { prefix: id(e.fim[0]), suffix: id(e.fim[1]), middle: id(e.fim[2]) });
            assert.equal(entry(tokenizer, 'tokenizer.ggml.fim_pre_token_id'), id(e.fim[0]));
            assert.equal(entry(tokenizer, 'tokenizer.ggml.fim_suf_token_id'), id(e.fim[1]));
            assert.equal(entry(tokenizer, 'tokenizer.ggml.fim_mid_token_id'), id(e.fim[2]));
            const without = factory({ fim: false });
            assert.equal(without.fim, undefined);
            assert.equal(entry(without, 'tokenizer.ggml.fim_pre_token_id'), undefined);
            assert.ok(!pieces(without).includes(e.fim[0]));
        } else {
            assert.equal(tokenizer.fim, undefined);
        }
        if (e.model === 'llama') {
            assert.equal(pieces(tokenizer).filter((_, i) => types(tokenizer)[i] === TokenType.Byte).length, 256, `${name}: byte fallback`);
            assert.equal(tokenizer.wordPiece(' banana'), '▁banana');
        } else {
            assert.equal(tokenizer.wordPiece(' banana'), 'Ġbanana');
        }
        assert.equal(entry(factory({ chatTemplate: null }), 'tokenizer.chat_template'), undefined);
        assert.equal(entry(factory({ chatTemplate: 'custom' }), 'tokenizer.chat_template'), 'custom');
        assert.throws(() => tokenizer.tokenId('no such piece'), RangeError);
    }
});

test('the llama3 family: llama graph, Llama 3 tokenizer and template, RoPE base 500000, deterministic bytes', async () => {
    const [a, b] = [join(dir, 'a.gguf'), join(dir, 'b.gguf')];
    const written = await writeFixtureModel(a, { arch: 'llama3' });
    await writeFixtureModel(b, { arch: 'llama3' });
    assert.deepEqual(readFileSync(a), readFileSync(b));
    const header = await readGgufHeader(a);
    const meta = (key: string): unknown => plainValue(header.metadata.get(key) ?? assert.fail(`missing ${key}`));
    assert.equal(meta('general.architecture'), 'llama');
    assert.equal(meta('llama.rope.freq_base'), 500000);
    assert.equal(meta('tokenizer.ggml.model'), 'gpt2');
    assert.equal(meta('tokenizer.ggml.pre'), 'llama-bpe');
    assert.equal(meta('tokenizer.chat_template'), LLAMA3_CHAT_TEMPLATE);
    assert.equal(written.arch, 'llama3');
    assert.equal(written.dimensions.vocabularySize, (meta('tokenizer.ggml.tokens') as string[]).length);
    assert.deepEqual(header.tensors.find(t => t.name === 'output.weight')?.shape, [64, written.dimensions.vocabularySize]);
    const sized = await writeFixtureModel(join(dir, 'c.gguf'), { arch: 'llama3', dims: { vocabularySize: 4096 } });
    assert.equal(sized.dimensions.vocabularySize, 4096);
    assert.equal((plainValue((await readGgufHeader(sized.path)).metadata.get('tokenizer.ggml.tokens')!) as string[]).length, 4096);
});
