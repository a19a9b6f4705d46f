import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/fixtures/SeededRandom';
import { byteLevelByte } from '../../src/core/tokens/byteLevelAlphabet';
import { pieceSummary, tokenTooltip } from '../../src/core/tokens/pieceSummary';
import { tokenPieceBytes } from '../../src/core/tokens/tokenPieceBytes';
import { textAfter, tokenTexts, type TokenBytes } from '../../src/core/tokens/tokenTexts';

const utf8 = new TextEncoder();

/** A token of the given bytes; its raw piece spelt as an SPM byte token when it is one byte, else as its hex. */
function bytesToken(...bytes: number[]): TokenBytes {
    const hex = bytes.map(b => b.toString(16).toUpperCase().padStart(2, '0'));
    return { bytes: Uint8Array.from(bytes), raw: bytes.length === 1 ? `<0x${hex[0]}>` : hex.join(' ') };
}

function textToken(text: string): TokenBytes {
    return { bytes: utf8.encode(text), raw: text.replace(/ /g, '\u2581') };
}

/** The UTF-8 bytes of `text`, one byte token each (what an SPM vocabulary without the characters falls back to). */
function byteTokens(text: string): TokenBytes[] {
    return [...utf8.encode(text)].map(b => bytesToken(b));
}

function joined(tokens: readonly TokenBytes[]): string {
    return tokenTexts(tokens).map(t => t.text).join('');
}

test('Chinese split over byte tokens: each character once, on its last byte, every byte marked', () => {
    const tokens = [textToken(' '), ...byteTokens('正面')];
    const shown = tokenTexts(tokens);
    assert.deepEqual(shown.map(t => t.text), [' ', '', '', '正', '', '', '面']);
    assert.deepEqual(shown.map(t => t.raw), ['\u2581', '<0xE6>', '<0xAD>', '<0xA3>', '<0xE9>', '<0x9D>', '<0xA2>']);
    assert.equal(shown[0]!.pieces, undefined);
    assert.deepEqual(shown.slice(1).map(t => t.pieces), [
        [{ character: '正', from: 1, to: 1, of: 3 }], [{ character: '正', from: 2, to: 2, of: 3 }], [{ character: '正', from: 3, to: 3, of: 3 }],
        [{ character: '面', from: 1, to: 1, of: 3 }], [{ character: '面', from: 2, to: 2, of: 3 }], [{ character: '面', from: 3, to: 3, of: 3 }],
    ]);
    assert.ok(shown.every(t => t.undecodable === undefined && t.joinsPrevious === undefined));
    assert.equal(joined([...byteTokens('负面')]), '负面');
});

test('byte-level pieces that cut characters: a token can end one character and start the next', () => {
    // 正面 = E6 AD A3 E9 9D A2, split as a byte-level BPE would: "æŃ£é" + "Ŀ¢".
    const tokens: TokenBytes[] = [
        { bytes: tokenPieceBytes('æŃ£é', 'normal', 'byte-level'), raw: 'æŃ£é' },
        { bytes: tokenPieceBytes('Ŀ¢', 'normal', 'byte-level'), raw: 'Ŀ¢' },
    ];
    const shown = tokenTexts(tokens);
    assert.deepEqual(shown.map(t => t.text), ['正', '面']);
    assert.deepEqual(shown[0]!.pieces, [{ character: '面', from: 1, to: 1, of: 3 }]);
    assert.deepEqual(shown[1]!.pieces, [{ character: '面', from: 2, to: 3, of: 3 }]);

    const other = tokenTexts([
        { bytes: Uint8Array.of(0x61, 0xe6, 0xad), raw: 'aæŃ' },
        { bytes: Uint8Array.of(0xa3, 0xe9), raw: '£é' },
        { bytes: Uint8Array.of(0x9d, 0xa2, 0x62), raw: 'Ŀ¢b' },
    ]);
    assert.deepEqual(other.map(t => t.text), ['a', '正', '面b']);
    assert.deepEqual(other.map(t => t.pieces), [
        [{ character: '正', from: 1, to: 2, of: 3 }],
        [{ character: '正', from: 3, to: 3, of: 3 }, { character: '面', from: 1, to: 1, of: 3 }],
        [{ character: '面', from: 2, to: 3, of: 3 }],
    ]);
});

test('emoji: four byte tokens, ZWJ sequences and skin tones split between code points', () => {
    const smile = tokenTexts(byteTokens('😀'));
    assert.deepEqual(smile.map(t => t.text), ['', '', '', '😀']);
    assert.deepEqual(smile.map(t => t.pieces?.[0]?.from), [1, 2, 3, 4]);
    assert.ok(smile.every(t => t.pieces?.[0]?.of === 4 && t.pieces[0].character === '😀'));

    const family = tokenTexts(['👨', '\u200d', '👩', '\u200d👧'].map(textToken));
    assert.equal(family.map(t => t.text).join(''), '👨\u200d👩\u200d👧');
    assert.deepEqual(family.map(t => t.joinsPrevious ?? false), [false, true, true, true]);

    const thumbs = tokenTexts([textToken('ok '), textToken('👍'), textToken('🏽'), textToken('!')]);
    assert.deepEqual(thumbs.map(t => t.joinsPrevious ?? false), [false, false, true, false]);

    // A skin tone split over byte tokens: the modifier is shown on its last byte, which joins the thumb before it.
    const split = tokenTexts([textToken('👍'), ...byteTokens('🏽')]);
    assert.deepEqual(split.map(t => t.text), ['👍', '', '', '', '🏽']);
    assert.equal(split[4]!.joinsPrevious, true);
    assert.equal(split[1]!.joinsPrevious, undefined, 'an empty piece joins nothing');
});

test('combining marks: a mark on its own token joins the letter before it; a precomposed letter does not', () => {
    const decomposed = tokenTexts([textToken(' caf'), textToken('e'), textToken('\u0301'), textToken(' ok')]);
    assert.deepEqual(decomposed.map(t => t.joinsPrevious ?? false), [false, false, true, false]);
    assert.equal(decomposed.map(t => t.text).join(''), ' cafe\u0301 ok');
    const markBytes = tokenTexts([textToken('e'), ...byteTokens('\u0301')]);
    assert.deepEqual(markBytes.map(t => t.text), ['e', '', '\u0301']);
    assert.deepEqual(markBytes[2]!.pieces, [{ character: '\u0301', from: 2, to: 2, of: 2 }]);
    assert.equal(markBytes[2]!.joinsPrevious, true);
    assert.ok(tokenTexts([textToken('caf'), textToken('é')]).every(t => t.joinsPrevious === undefined));
});

test('bytes that never make UTF-8 are escaped on their own tokens, never U+FFFD', () => {
    const cut = tokenTexts([bytesToken(0xe6), bytesToken(0xad), textToken('b')]);
    assert.deepEqual(cut.map(t => t.text), ['\\xE6', '\\xAD', 'b']);
    assert.deepEqual(cut.map(t => t.undecodable ?? false), [true, true, false]);
    assert.deepEqual(cut.map(t => t.pieces), [undefined, undefined, undefined]);

    assert.deepEqual(tokenTexts(byteTokens('正').slice(0, 2)).map(t => t.text), ['\\xE6', '\\xAD'], 'cut off by the end');
    for (const bad of [[0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xe0, 0x80, 0x80]]) {
        const shown = tokenTexts([bytesToken(...bad)]);
        assert.equal(shown[0]!.text, bad.map(b => `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''), `bytes ${bad}`);
        assert.ok(!shown[0]!.text.includes('\uFFFD'));
    }
    // A broken lead byte does not swallow the character after it.
    assert.deepEqual(tokenTexts([bytesToken(0xe6), ...byteTokens('面')]).map(t => t.text), ['\\xE6', '', '', '面']);
});

test('any split of valid UTF-8 into tokens joins back to the text exactly', () => {
    const random = new SeededRandom(17, 'token-texts');
    const alphabet = ['a', ' ', '\n', 'é', 'e\u0301', '正', '面', '负', '😀', '👍🏽', '👨\u200d👩\u200d👧', '🇫🇷', 'ß', '\u{10FFFF}', '\u0000'];
    for (let round = 0; round < 300; round++) {
        let text = '';
        const length = 1 + Math.floor(random.nextFloat() * 12);
        for (let i = 0; i < length; i++) text += alphabet[Math.floor(random.nextFloat() * alphabet.length)]!;
        const bytes = utf8.encode(text);
        const tokens: TokenBytes[] = [];
        for (let at = 0; at < bytes.length;) {
            const size = 1 + Math.floor(random.nextFloat() * 4);
            tokens.push({ bytes: bytes.slice(at, at + size), raw: '' });
            at += size;
        }
        const shown = tokenTexts(tokens);
        assert.equal(shown.map(t => t.text).join(''), text, JSON.stringify(text));
        assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(bytes), text);
        for (const [i, token] of shown.entries()) {
            const own = new TextDecoder().decode(tokens[i]!.bytes);
            if (!own.includes('\uFFFD')) assert.equal(token.pieces, undefined, 'a token of whole characters has no pieces');
            else assert.ok(token.pieces !== undefined && token.pieces.length > 0);
        }
    }
});

test('textAfter: an alternative shown where it would stand', () => {
    const before = [textToken(' '), bytesToken(0xe6), bytesToken(0xad)];
    const finish = textAfter(before, bytesToken(0xa3));
    assert.equal(finish.text, '正');
    assert.deepEqual(finish.pieces, [{ character: '正', from: 3, to: 3, of: 3 }]);
    assert.equal(finish.raw, '<0xA3>');
    // One that does not finish the character leaves its bytes to the tokens before: its own text is itself.
    assert.deepEqual(textAfter(before, textToken(' no')), { text: ' no', raw: '\u2581no' });
    const start = textAfter([textToken('a')], bytesToken(0xe9));
    assert.equal(start.text, '\\xE9');
    assert.equal(start.undecodable, true);
    assert.equal(textAfter([textToken('cafe')], textToken('\u0301')).joinsPrevious, true);
    assert.deepEqual(textAfter([], textToken('Hi')), { text: 'Hi', raw: 'Hi' });
    // Only the tail of a long context is decoded: the answer is the same.
    const long = [...Array.from({ length: 100 }, () => textToken('word ')), bytesToken(0xf0), bytesToken(0x9f), bytesToken(0x98)];
    assert.equal(textAfter(long, bytesToken(0x80)).text, '😀');
});

test('tokenPieceBytes follows llama.cpp token_to_piece for each kind and spelling', () => {
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    assert.equal(text(tokenPieceBytes('\u2581the', 'normal', 'sentencepiece')), ' the');
    assert.equal(text(tokenPieceBytes('\u2581\u2581x', 'normal', 'sentencepiece')), '  x');
    assert.deepEqual([...tokenPieceBytes('<0xE6>', 'byte', 'sentencepiece')], [0xe6]);
    assert.deepEqual([...tokenPieceBytes('<0x0A>', 'byte', 'byte-level')], [0x0a], 'BPE byte-fallback tokens (Gemma) read the same way');
    assert.equal(text(tokenPieceBytes('<|im_end|>', 'verbatim', 'byte-level')), '<|im_end|>');
    assert.equal(text(tokenPieceBytes('\u2581kept', 'verbatim', 'sentencepiece')), '\u2581kept', 'user-defined and control text is not unescaped');
    assert.equal(tokenPieceBytes('<unused0>', 'silent', 'sentencepiece').length, 0);
    assert.equal(text(tokenPieceBytes('Ġthe', 'normal', 'byte-level')), ' the');
    assert.equal(text(tokenPieceBytes('ĊĊ', 'normal', 'byte-level')), '\n\n');
    assert.equal(text(tokenPieceBytes('ĉ', 'normal', 'byte-level')), '\t');
    assert.equal(text(tokenPieceBytes('ÂłÃ©', 'normal', 'byte-level')), '\u00a0é', 'NBSP and é as GPT-2 spells them');
    assert.deepEqual([...tokenPieceBytes('æŃ£', 'normal', 'byte-level')], [0xe6, 0xad, 0xa3]);
    assert.deepEqual([...tokenPieceBytes('æŃ', 'normal', 'byte-level')], [0xe6, 0xad], 'half of 正');
    // A character outside the alphabet, as llama_decode_text writes it.
    assert.equal(text(tokenPieceBytes('a\u2581', 'normal', 'byte-level')), 'a[UNK_BYTE_0xe29681a\u2581]');
});

test('the byte-level alphabet is a bijection of the 256 bytes, printable Latin-1 kept as itself', () => {
    const seen = new Set<number>();
    for (let codePoint = 0; codePoint < 0x200; codePoint++) {
        const byte = byteLevelByte(codePoint);
        if (byte === undefined) continue;
        assert.ok(!seen.has(byte), `byte ${byte} twice`);
        seen.add(byte);
        if (codePoint < 256) assert.equal(byte, codePoint);
    }
    assert.equal(seen.size, 256);
    assert.equal(byteLevelByte('Ġ'.codePointAt(0)!), 0x20);
    assert.equal(byteLevelByte('Ċ'.codePointAt(0)!), 0x0a);
    assert.equal(byteLevelByte('Ń'.codePointAt(0)!), 0xad);
    assert.equal(byteLevelByte(' '.codePointAt(0)!), undefined, 'a plain space is not in the alphabet');
});

test('pieceSummary and tokenTooltip say which bytes a token holds', () => {
    assert.equal(pieceSummary([{ character: '正', from: 1, to: 1, of: 3 }]), '正 1/3');
    assert.equal(pieceSummary([{ character: '正', from: 3, to: 3, of: 3 }, { character: '面', from: 1, to: 2, of: 3 }]), '正 3/3, 面 1-2/3');
    assert.equal(pieceSummary([{ character: '\u0301', from: 2, to: 2, of: 2 }]), '\u25CC\u0301 2/2');
    assert.equal(tokenTooltip({ text: '', raw: '<0xE6>', pieces: [{ character: '正', from: 1, to: 1, of: 3 }] }),
        'token "<0xE6>"\nbytes of a character split over tokens: 正 1/3');
    assert.equal(tokenTooltip({ text: '\\xE6', raw: '<0xE6>', undecodable: true }), 'token "<0xE6>"\nholds bytes that are not UTF-8 here (shown as \\xNN)');
    assert.equal(tokenTooltip({ text: '\u0301', raw: '\u0301', joinsPrevious: true }), 'token "\u0301"\njoins the character before it');
    assert.equal(tokenTooltip({ text: '\n', raw: 'Ċ' }), 'token "Ċ"');
});
