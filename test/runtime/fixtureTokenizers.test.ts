// Every family of the fixture zoo on a tiny model in the real node-llama-cpp, through the runtime client: llama.cpp
// tokenizes English into the word pieces the vocabulary promises and round-trips Chinese, emoji and combining marks;
// node-llama-cpp picks the family's chat wrapper from its template; the end-of-turn token ends a chat reply; the
// LoRA written for the family makes " banana" greedy, with the id the tokenizer gives for it. In-process checks
// follow: llama.cpp's EOT, EOG and FIM ids are the tokenizer's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Llama } from 'node-llama-cpp';
import { fixtureArchitectures, LORA_TEST_PROMPT, writeFixtureLora, writeFixtureModel, type FixtureArchitectureName } from '../../src/core/fixtures';
import { englishWords } from '../../src/core/fixtures/englishWords';
import { chatmlSpmTokenizer } from '../../src/core/fixtures/tokenizers/chatmlSpmTokenizer';
import type { FixtureTokenizer, FixtureTokenizerFactory } from '../../src/core/fixtures/tokenizers/FixtureTokenizer';
import { gemmaTokenizer } from '../../src/core/fixtures/tokenizers/gemmaTokenizer';
import { llama3Tokenizer } from '../../src/core/fixtures/tokenizers/llama3Tokenizer';
import { phi3Tokenizer } from '../../src/core/fixtures/tokenizers/phi3Tokenizer';
import { qwenTokenizer } from '../../src/core/fixtures/tokenizers/qwenTokenizer';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { ModelInfo } from '../../src/shared/runtimeApi';
import { fixtureFile } from '../support/fixtures';
import { greedy, newClient } from './helpers';

interface FamilyExpectation {
    /** The wrapper node-llama-cpp resolves from the family's template, and whether it is that template itself. */
    wrapper: string;
    source: 'family-wrapper' | 'model-template';
    /** Byte-level BPE (`Ġ`, merges) rather than SentencePiece with byte fallback. */
    byteLevel: boolean;
    /** The chat prompt starts with BOS. */
    bos: boolean;
}

const expectations = new Map<FixtureTokenizerFactory, FamilyExpectation>([
    [chatmlSpmTokenizer, { wrapper: 'ChatMLChatWrapper', source: 'family-wrapper', byteLevel: false, bos: true }],
    [llama3Tokenizer, { wrapper: 'Llama3ChatWrapper', source: 'family-wrapper', byteLevel: true, bos: true }],
    [qwenTokenizer, { wrapper: 'QwenChatWrapper', source: 'family-wrapper', byteLevel: true, bos: false }],
    [gemmaTokenizer, { wrapper: 'GemmaChatWrapper', source: 'family-wrapper', byteLevel: false, bos: true }],
    // node-llama-cpp has no wrapper of its own for Phi-3: it renders the model's template.
    [phi3Tokenizer, { wrapper: 'JinjaTemplateChatWrapper', source: 'model-template', byteLevel: false, bos: false }],
]);

const architectures = Object.keys(fixtureArchitectures) as FixtureArchitectureName[];
const words = englishWords.flatMap(word => [word, word[0]!.toUpperCase() + word.slice(1)]);
const roundTrips = [
    'The quick brown fox jumps over the lazy dog.',
    'running quickly, isn\'t it?\n\n  two  spaces\tand a tab',
    '正面 and 负面: 这部电影很好看',
    'emoji 🙂 😀 👍🏽 ❤️ 👨‍👩‍👧 done',
    'combining e\u0301 n\u0303 a\u0308\u0301, precomposed café naïve',
    'x = await fetch(url); 1234567 + 89',
];

const modelPath = (arch: FixtureArchitectureName) => fixtureFile(`zoo-${arch}-tiny.gguf`, p => writeFixtureModel(p, { arch }));
const loraPath = (arch: FixtureArchitectureName) => fixtureFile(`zoo-${arch}-lora.gguf`, p => writeFixtureLora(p, { arch }));

test('every family of the zoo uses one of the tokenizer factories tested here', () => {
    for (const arch of architectures) assert.ok(expectations.has(fixtureArchitectures[arch]!.tokenizer), arch);
    assert.equal(fixtureArchitectures.llama3?.tokenizer, llama3Tokenizer);
});

for (const arch of architectures) {
    const factory = fixtureArchitectures[arch]!.tokenizer;
    const expected = expectations.get(factory)!;
    describe(`${arch}: its tokenizer in node-llama-cpp through the runtime`, () => {
        let client: RuntimeClient;
        let info: ModelInfo;
        const tokenizer: FixtureTokenizer = factory({});

        before(async () => {
            ({ client } = newClient());
            info = await client.loadModel({ model: await modelPath(arch), gpu: 'off', threads: 1 });
        });

        after(async () => {
            await client?.dispose();
        });

        test('English words are the vocabulary\'s word pieces; " banana" is the piece wordPiece names', async () => {
            assert.equal(info.vocabularySize, tokenizer.vocabularySize);
            assert.equal(info.eosToken, tokenizer.eos);
            const spaced = await client.tokenize(words.map(w => ` ${w}`).join(''));
            const expectedPieces = words.map(w => tokenizer.tokenId(tokenizer.wordPiece(` ${w}`)));
            // A SentencePiece vocabulary with a space prefix adds one more `▁` before the text's own space.
            assert.deepEqual(spaced.slice(spaced.length - words.length), expectedPieces);
            assert.ok(spaced.length - words.length <= 1, `${spaced.length - words.length} extra tokens`);
            const banana = await client.tokenize(' banana');
            assert.equal(banana.at(-1), tokenizer.tokenId(tokenizer.wordPiece(' banana')));
            assert.deepEqual(await client.tokenPieces([banana.at(-1)!]), [' banana']);
            if (expected.byteLevel) {
                // After a line feed the pre-tokenizer starts a new word: each one bare is one token too.
                const bare = await client.tokenize(words.join('\n'));
                assert.deepEqual(bare.filter((_, i) => i % 2 === 0), words.map(w => tokenizer.tokenId(w)));
            }
        });

        test('English, Chinese, emoji and combining marks detokenize to exactly the text', async () => {
            for (const text of roundTrips) {
                const tokens = await client.tokenize(text);
                assert.equal(await client.detokenize(tokens), text, JSON.stringify(text));
            }
        });

        test('a character can split across tokens: 面 into the vocabulary\'s pieces, 🙂 likewise', async () => {
            const face = await client.tokenize('面');
            const smile = await client.tokenize('🙂');
            if (expected.byteLevel) {
                assert.equal(face.length, 2, '面 (E9 9D A2): a merged pair of bytes and one byte');
                assert.equal(smile.length, 2, '🙂 (F0 9F 99 82): three merged bytes and one byte');
                assert.equal((await client.tokenize('正')).length, 1);
            } else {
                // Byte fallback, after the `▁` a space prefix adds.
                const bytes = (tokens: number[]) => tokens.filter(t => t !== tokenizer.tokenId('▁'));
                assert.equal(bytes(face).length, 3, '面: three byte tokens');
                assert.equal(bytes(smile).length, 4, '🙂: four byte tokens');
            }
            assert.equal(await client.detokenize(face), '面');
        });

        test(`node-llama-cpp picks ${expected.wrapper} from the family's template`, () => {
            assert.equal(info.chatWrapper, expected.wrapper);
            assert.deepEqual(info.chatTemplateUse, { wrapper: expected.wrapper, source: expected.source });
        });

        test('the template ends a turn with the end-of-turn token, and BOS appears as the family wants', async () => {
            const rendered = await client.renderChat([
                { role: 'user', text: 'Hello there' }, { role: 'model', text: 'Hello' }, { role: 'user', text: 'Again' },
            ]);
            const ids = rendered.tokens.map(t => t.id);
            assert.ok(ids.includes(tokenizer.endOfTurn), `the rendered chat holds ${tokenizer.endOfTurn}: ${rendered.text}`);
            assert.ok(rendered.tokens.filter(t => t.id === tokenizer.endOfTurn).every(t => t.special && t.fromTemplate));
            const bos = info.bosToken;
            assert.equal(ids[0] === bos, expected.bos, `first token ${ids[0]} (BOS ${bos})`);
            assert.ok(ids.filter(id => id === bos).length <= 1, 'never two BOS');
        });

        test('a chat reply stops at the end-of-turn token; a plain word does not stop it; llama.cpp ends a completion there too', async () => {
            // An adapter that makes the end-of-turn token greedy: a logit bias cannot force it, since node-llama-cpp's
            // TokenBias skips end-of-generation tokens (and the runtime uses that loop on sliding-window models).
            const endTurn = await fixtureFile(`zoo-${arch}-lora-eot.gguf`, p => writeFixtureLora(p, { arch, boostedTokenId: tokenizer.endOfTurn }));
            const messages = [{ role: 'user' as const, text: 'Say something.' }];
            const lora = [{ path: endTurn, scale: 1 }];
            const ended = await client.chat({ messages, sampling: { ...greedy, maxTokens: 8 }, lora });
            assert.equal(ended.stopReason, 'eos');
            assert.deepEqual(ended.tokens, []);
            assert.equal(ended.text, '');
            const banana = tokenizer.tokenId(tokenizer.wordPiece(' banana'));
            const running = await client.chat({ messages, sampling: { ...greedy, maxTokens: 3, logitBias: { [banana]: Infinity } } });
            assert.equal(running.stopReason, 'maxTokens');
            assert.deepEqual(running.tokens, [banana, banana, banana]);
            // No chat wrapper here: only llama.cpp's end-of-generation set can stop it.
            const completion = await client.complete({ prompt: LORA_TEST_PROMPT, sampling: { ...greedy, maxTokens: 8 }, lora });
            assert.equal(completion.stopReason, 'eos');
            assert.ok(completion.tokens.length < 8, `${completion.tokens.length} tokens before the end`);
        });

        test('the family\'s LoRA makes " banana" greedy after the test prompt; without it the model prefers another token', async () => {
            const lora = await loraPath(arch);
            const banana = tokenizer.tokenId(tokenizer.wordPiece(' banana'));
            const run = (adapters?: { path: string; scale: number }[]) =>
                client.complete({ prompt: LORA_TEST_PROMPT, sampling: { ...greedy, maxTokens: 1 }, ...(adapters ? { lora: adapters } : {}) });
            assert.notEqual((await run()).tokens[0], banana);
            const adapted = await run([{ path: lora, scale: 1 }]);
            assert.equal(adapted.tokens[0], banana);
            assert.equal(adapted.text, ' banana');
        });
    });
}

describe('llama.cpp\'s special token ids are the tokenizer\'s (in-process)', () => {
    let llama: Llama;

    before(async () => {
        const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
        llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    });

    after(async () => {
        await llama?.dispose();
    });

    for (const arch of architectures) {
        test(`${arch}: EOS, EOT and FIM ids; the end-of-turn token ends generation`, async () => {
            const tokenizer = fixtureArchitectures[arch]!.tokenizer({});
            const model = await llama.loadModel({ modelPath: await modelPath(arch) });
            try {
                assert.equal(model.tokens.eos, tokenizer.eos);
                assert.ok(model.isEogToken(tokenizer.endOfTurn as never), 'EOT is an end-of-generation token');
                assert.ok(model.isEogToken(tokenizer.eos as never), 'EOS is an end-of-generation token');
                assert.equal(model.tokens.eot, tokenizer.endOfTurn);
                assert.equal(model.isEogToken(tokenizer.tokenId(tokenizer.wordPiece(' banana')) as never), false);
                const infill = model.tokens.infill;
                if (tokenizer.fim) {
                    assert.deepEqual([infill.prefix, infill.suffix, infill.middle], [tokenizer.fim.prefix, tokenizer.fim.suffix, tokenizer.fim.middle]);
                } else {
                    assert.deepEqual([infill.prefix, infill.suffix, infill.middle], [null, null, null]);
                }
            } finally {
                await model.dispose();
            }
        });
    }
});
