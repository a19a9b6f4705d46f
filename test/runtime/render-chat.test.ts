// renderChat through RuntimeClient → dist/runtime-host.js → node-llama-cpp: the model's chat template, its text and
// tokens, and the warning when node-llama-cpp cannot use the template, on fixture models with chosen templates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatMessage, RenderChatResult } from '../../src/shared/runtimeApi';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { plainValue, readGgufHeader } from '../../src/core/gguf';
import { TokenType, writeFixtureModel } from '../../src/core/fixtures';
import { fixtureFile, fixtureModelPath } from '../support/fixtures';
import { newClient } from './helpers';

const messages: ChatMessage[] = [{ role: 'system', text: 'Be brief.' }, { role: 'user', text: 'Hi there' }];

/** A template node-llama-cpp runs through its Jinja renderer (no built-in wrapper renders like it). */
const customTemplate = "{% for m in messages %}[{{ m['role'] | upper }}] {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}[ASSISTANT] {% endif %}";
/** Broken syntax: `}` where `}}` closes the expression. */
const brokenTemplate = "{% for m in messages %}{{ m['content'] }\n{% endfor %}";
/** Valid Jinja2 (the `do` extension statement) that neither of node-llama-cpp's Jinja renderers implements. */
const unsupportedTemplate = "{%- set seen = [] -%}\n{% for m in messages %}{% do seen.append(m['role']) %}{{ m['content'] }}{% endfor %}";

describe('renderChat: what the model receives through its chat template', () => {
    let client: RuntimeClient;

    before(() => {
        ({ client } = newClient());
    });

    after(async () => {
        await client.dispose();
    });

    async function render(path: string): Promise<RenderChatResult> {
        const info = await client.loadModel({ model: path, gpu: 'off', threads: 1 });
        const result = await client.renderChat(messages);
        assert.deepEqual(result.template, info.chatTemplateUse, 'the load reports the same template use');
        assert.equal(result.template.wrapper, info.chatWrapper);
        // Exactly the prompt chat() evaluates.
        assert.deepEqual(result.tokens.map(t => t.id), await client.tokenizeChat(messages));
        // Each token's text is its vocabulary entry as the file's tokenizer spells it, read from the file itself.
        const header = await readGgufHeader(path);
        const vocabulary = plainValue(header.metadata.get('tokenizer.ggml.tokens')!) as string[];
        const types = plainValue(header.metadata.get('tokenizer.ggml.token_type')!) as number[];
        const spell = plainValue(header.metadata.get('tokenizer.ggml.model')!) === 'gpt2' ? byteLevelText : spmText;
        for (const token of result.tokens) {
            assert.equal(token.text, types[token.id] === TokenType.Control ? vocabulary[token.id] : spell(vocabulary[token.id]!), `token ${token.id}`);
            assert.equal(token.raw, vocabulary[token.id]);
            // Special: a control token in the file's own token types.
            assert.equal(token.special, types[token.id] === TokenType.Control, `token ${token.id} ${JSON.stringify(vocabulary[token.id])}`);
        }
        // The messages' tokens spell the messages, the rest is the template's.
        assert.equal(result.tokens.filter(t => !t.fromTemplate).map(t => t.text).join(''), messages.map(m => m.text).join(''));
        return result;
    }

    test('ChatML fixture: the ChatML text, <|im_start|> and <|im_end|> single special tokens, as the GGUF types them', async () => {
        const path = await fixtureModelPath();
        const result = await render(path);
        assert.deepEqual(result.template, { wrapper: 'ChatMLChatWrapper', source: 'family-wrapper' });
        // ChatML as its template writes it (node-llama-cpp's ChatML wrapper puts BOS first).
        assert.equal(result.text, '<s><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n');
        // What the tokens spell: llama.cpp's SentencePiece tokenizer (add_space_prefix) puts a space before the text after
        // each special token in the template's own text; the messages are tokenized apart, without one.
        assert.equal(result.tokens.map(t => t.text).join(''),
            '<s><|im_start|> system\nBe brief.<|im_end|> \n<|im_start|> user\nHi there<|im_end|> \n<|im_start|> assistant\n');

        const specials = result.tokens.filter(t => t.special).map(t => t.text);
        assert.deepEqual(specials, ['<s>', '<|im_start|>', '<|im_end|>', '<|im_start|>', '<|im_end|>', '<|im_start|>']);
        assert.ok(result.tokens.filter(t => t.special).every(t => t.fromTemplate));
    });

    test('Llama 3 fixture (byte-level BPE): its documented format, its header and turn tokens special, the text spelt exactly', async () => {
        const path = await fixtureFile('llama3-tiny.gguf', p => writeFixtureModel(p, { arch: 'llama3' }));
        const result = await render(path);
        assert.equal(result.template.source, 'family-wrapper');
        assert.match(result.template.wrapper, /^Llama3(_\d+)?ChatWrapper$/);
        const llama3 = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>'
            + '<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
        assert.equal(result.text, llama3);
        // No space prefix in a byte-level BPE: the tokens spell the template's text exactly.
        assert.equal(result.tokens.map(t => t.text).join(''), llama3);
        assert.deepEqual([...new Set(result.tokens.filter(t => t.special).map(t => t.text))].sort(),
            ['<|begin_of_text|>', '<|end_header_id|>', '<|eot_id|>', '<|start_header_id|>']);
    });

    test('a custom Jinja template renders through the model\'s own template', async () => {
        const path = await fixtureFile('tiny-custom-template.gguf', p => writeFixtureModel(p, { chatTemplate: customTemplate }));
        const result = await render(path);
        assert.deepEqual(result.template, { wrapper: 'JinjaTemplateChatWrapper', source: 'model-template' });
        assert.equal(result.text, '[SYSTEM] Be brief.\n[USER] Hi there\n[ASSISTANT] ');
        assert.ok(result.tokens.every(t => !t.special), 'this template writes no special token');
    });

    for (const [name, template] of [['broken syntax', brokenTemplate], ['an unsupported construct ({% do %})', unsupportedTemplate]] as const) {
        test(`a template with ${name} falls back with a warning naming the template`, async () => {
            const path = await fixtureFile(`tiny-template-${name.replace(/\W+/g, '-')}.gguf`, p => writeFixtureModel(p, { chatTemplate: template }));
            const result = await render(path);
            assert.equal(result.template.source, 'fallback');
            assert.equal(result.template.warning?.code, 'template-unusable');
            assert.equal(result.template.warning?.template, 'tokenizer.chat_template');
            assert.equal(result.template.warning?.firstLine, template.split('\n')[0]);
            assert.ok((result.template.warning?.reason.length ?? 0) > 0);
            assert.notEqual(result.template.wrapper, 'JinjaTemplateChatWrapper');
            // The fallback is a guess; whatever it is, chat() runs the same prompt (checked in render()).
            assert.ok(result.text.includes('Be brief.') && result.text.includes('Hi there'));
        });
    }

    test('a model without a template says its format is a guess', async () => {
        const path = await fixtureFile('tiny-no-template.gguf', p => writeFixtureModel(p, { chatTemplate: null }));
        const result = await render(path);
        assert.equal(result.template.source, 'fallback');
        assert.equal(result.template.warning?.code, 'no-template');
        assert.equal(result.template.warning?.firstLine, undefined);
    });

    test('no messages is an error, as for chat', async () => {
        await client.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 });
        await assert.rejects(client.renderChat([]), /message/i);
    });
});

/** A SentencePiece vocabulary entry as text: `▁` is a space, `<0xNN>` one byte (the tests' texts are ASCII). */
function spmText(entry: string): string {
    const byte = /^<0x([0-9A-F]{2})>$/.exec(entry);
    return byte ? String.fromCharCode(parseInt(byte[1]!, 16)) : entry.replaceAll('\u2581', ' ');
}

/** GPT-2's byte ↔ character table of byte-level BPE vocabularies: printable Latin-1 bytes stand for themselves, the rest from U+0100. */
const byteOfCharacter = (() => {
    const table = new Map<string, number>();
    let next = 256;
    for (let byte = 0; byte < 256; byte++) {
        const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
        table.set(String.fromCodePoint(printable ? byte : next++), byte);
    }
    return table;
})();

/** A byte-level BPE vocabulary entry as text: each character one byte (`Ġ` a space, `Ċ` a line feed), the bytes UTF-8. */
function byteLevelText(entry: string): string {
    return Buffer.from([...entry].map(c => byteOfCharacter.get(c) ?? assert.fail(`${JSON.stringify(entry)} is not byte-level`))).toString('utf8');
}
