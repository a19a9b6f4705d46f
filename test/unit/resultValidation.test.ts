// Issue 15's validation in core: LoRA scales bounded wherever one is accepted, non-finite results refused as a typed
// error that keeps its class across the runtime's channel, and CSV datasets parsed strictly with the line named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoraScale, loraScaleAllowed } from '../../src/core/model/loraScale';
import { preparePrompt } from '../../src/core/prompt';
import { PromptConfigError } from '../../src/core/prompt/errors/PromptConfigError';
import { PromptDocument } from '../../src/core/prompt/PromptDocument';
import { readPromptscopeSettings } from '../../src/core/prompt/settings/readPromptscopeSettings';
import { parseDataset } from '../../src/core/reasoning/dataset';
import { DatasetError } from '../../src/core/reasoning/errors/DatasetError';
import { DatasetRowError } from '../../src/core/reasoning/errors/DatasetRowError';
import { findNonFinite } from '../../src/core/results/findNonFinite';
import { NonFiniteResultError } from '../../src/shared/errors/NonFiniteResultError';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import { maxLoraScale } from '../../src/shared/limits';
import { readLoraSetting } from '../../src/vscode/modelSettings';

describe('LoRA scale bound', () => {
    test('finite and at most maxLoraScale either way', () => {
        assert.equal(maxLoraScale, 100);
        for (const ok of [0, 1, -1, 0.5, 100, -100]) assert.ok(isLoraScale(ok), String(ok));
        for (const bad of [1e39, -1e39, 100.5, Infinity, NaN, '1', undefined]) assert.ok(!isLoraScale(bad), String(bad));
        assert.match(loraScaleAllowed, /^a number from -100 to 100/);
    });

    test('front matter: promptscope.lora with scale 1e39 is an error positioned in the file, before anything runs', async () => {
        const settings = readPromptscopeSettings({ 'promptscope.lora': { path: 'a.gguf', scale: 1e39 } });
        assert.deepEqual(settings.issues.map(i => [i.severity, i.message]), [['error', `\`promptscope.lora\` scale of a.gguf must be ${loraScaleAllowed}; got 1e+39.`]]);
        const doc = PromptDocument.fromText('---\npromptscope.lora:\n  path: a.gguf\n  scale: 1e39\n---\nHi', '/w/a.prompt');
        await assert.rejects(preparePrompt(doc), (e: Error) => e instanceof PromptConfigError && /^\/w\/a\.prompt:3:3: .*scale of a\.gguf must be a number from -100 to 100/.test(e.message));
    });

    test('settings: an out-of-bounds scale is reported and the entry dropped', () => {
        const read = readLoraSetting([{ path: 'a.gguf', scale: 1e39 }, { path: 'b.gguf', scale: -2 }]);
        assert.deepEqual(read.adapters, [{ path: 'b.gguf', scale: -2 }]);
        assert.deepEqual(read.problems, [`promptscope.lora[0]: "scale" must be ${loraScaleAllowed}; ignoring the entry`]);
    });
});

describe('non-finite results', () => {
    test('findNonFinite names the first NaN or Infinity, in objects, arrays, float arrays and maps', () => {
        assert.equal(findNonFinite({ tokens: [{ logprob: -1, top: [{ logprob: -2 }] }], promptPerplexity: 3 }), undefined);
        assert.deepEqual(findNonFinite({ tokens: [{ logprob: -1, top: [{ logprob: NaN }] }] }), { field: 'tokens[0].top[0].logprob', value: NaN });
        assert.deepEqual(findNonFinite({ promptPerplexity: Infinity }), { field: 'promptPerplexity', value: Infinity });
        assert.deepEqual(findNonFinite({ attention: new Float32Array([0.5, -Infinity]) }), { field: 'attention[1]', value: -Infinity });
        assert.deepEqual(findNonFinite({ m: new Map([['k', NaN]]) }), { field: 'm.k', value: NaN });
        // Token ids and text are not looked at as numbers.
        assert.equal(findNonFinite({ tokens: new Int32Array([1, 2]), text: 'NaN', stop: null }), undefined);
    });

    test('NonFiniteResultError says what, where and what to check, and keeps its class across the channel', () => {
        const error = new NonFiniteResultError('tokenProbabilities', 'tokens[1].logprob', NaN);
        assert.match(error.message, /^The model computed NaN for tokens\[1\]\.logprob in its tokenProbabilities result: .*LoRA adapters' scales/);
        const revived = reviveError(serializeError(error));
        assert.ok(revived instanceof NonFiniteResultError);
        assert.deepEqual([revived.request, revived.field, revived.value, revived.message], ['tokenProbabilities', 'tokens[1].logprob', 'NaN', error.message]);
    });
});

describe('strict CSV datasets', () => {
    const problem = (text: string) => {
        try {
            parseDataset('/d/data.csv', text);
        } catch (error) {
            assert.ok(error instanceof DatasetError, String(error));
            return error.message;
        }
        assert.fail(`parsed: ${JSON.stringify(text)}`);
    };

    test('a stray quote is an error naming its line, not two rows merged into one', () => {
        assert.match(problem('q,expected\na,1\nb"x,2\nc,3\n'), /^\/d\/data\.csv: line 3: a quote \("\) inside a field that does not start with one/);
        assert.match(problem('q,expected\na,1\n"b"x,2\nc,3\n'), /^\/d\/data\.csv: line 3: text after a quoted field's closing quote/);
        assert.match(problem('q,expected\na,1\n"b,2\nc,3\n'), /^\/d\/data\.csv: line 3: a quoted field in the row that starts here is never closed/);
        assert.match(problem('\ufeffq,é\né,1\n"b,2\n'), /^\/d\/data\.csv: line 3: /);
    });

    test('a row with the wrong number of fields names the row and its line; duplicate column names are refused', () => {
        assert.equal(problem('q,expected\n\na,1\nb,2,3\n'), '/d/data.csv: row 2 (line 4) has 3 fields; the header has 2: quote a field that holds a comma ("a, b"), and give every row one field per column');
        assert.match(problem('q,q\n1,2\n'), /names the column "q" twice/);
    });

    test('valid RFC 4180 still parses: quoted commas, doubled quotes, line breaks in a field, CRLF, BOM, blank lines', () => {
        assert.deepEqual(parseDataset('d.csv', '\ufeffq,expected\r\n"x, ""y""\nz",1\r\n\r\nk,2\r\n'), [{ q: 'x, "y"\nz', expected: '1' }, { q: 'k', expected: '2' }]);
    });

    test('DatasetRowError names the file and the row before the cause', () => {
        const error = new DatasetRowError(3, new Error('/p/a.prompt:4:5: Missing required input `q`.'), '/d/data.jsonl');
        assert.equal(error.message, '/d/data.jsonl: row 3: /p/a.prompt:4:5: Missing required input `q`.');
        assert.equal(error.row, 3);
    });
});
