import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerSettingsError } from '../../src/core/reasoning/errors/AnswerSettingsError';
import {
    answerExtractorFor, extractAfterMarker, extractChoice, extractJsonField, extractLastNumber, extractYesNo, regexExtractor,
} from '../../src/core/reasoning/extractAnswer';

describe('last number', () => {
    const cases: [string, string | undefined][] = [
        ['The answer is 42.', '42'],
        ['It costs $1,234.50 in total', '1234.5'],
        ['-$5 loss', '-5'],
        ['first 3 then 1,234,567 apples', '1234567'],
        ['temperature fell to −3 °C', '-3'],
        ['We need 12kg of flour', '12'],
        ['a rise of 3.5%', '3.5'],
        ['items 1,2,3', '3'],
        ['value .5', '0.5'],
        ['-0', '0'],
        ['007 agents', '7'],
        ['5 - 3 = 2', '2'],
        ['5-3', '3'],
        ['x2 and B12 are names', undefined],
        ['no numbers here', undefined],
        ['', undefined],
        ['ＦＵＬＬ width ４２', '42'],
        ['So 10 + 20 = 30. The answer is 30.', '30'],
        ['1,234.50 then 7.', '7'],
    ];
    for (const [text, expected] of cases) {
        test(JSON.stringify(text), () => assert.equal(extractLastNumber(text), expected));
    }
});

describe('choice letter', () => {
    const cases: [string, string | undefined][] = [
        ['The answer is C.', 'C'],
        ['the answer is (b)', 'B'],
        ['Answer: d', 'D'],
        ['(B)', 'B'],
        ['  e. ', 'E'],
        ['Option (A) is wrong, so (D) it is', 'D'],
        ['A cat sat. B is right', 'B'],
        ['A cat sat on the mat', undefined],
        ['I pick B) because', 'B'],
        ['answer is C, not A', 'C'],
        ['F is not an option', undefined],
        ['ABC DEF', undefined],
        ['', undefined],
    ];
    for (const [text, expected] of cases) {
        test(JSON.stringify(text), () => assert.equal(extractChoice(text), expected));
    }
    test('custom letters; lower-case letter sets are rejected', () => {
        assert.equal(extractChoice('so F', { letters: 'ABCDEF' }), 'F');
        assert.throws(() => extractChoice('x', { letters: 'a-b' }), AnswerSettingsError);
    });
});

describe('yes / no', () => {
    const cases: [string, string | undefined][] = [
        ['Yes.', 'yes'],
        ['No, because yes-men agree with everything. Yes indeed', 'no'],
        ['Thinking... it is not the case. So the answer is no.', 'no'],
        ['"YES"', 'yes'],
        ['I would say no... actually yes', 'yes'],
        ['Nobody knows', undefined],
        ['yesterday is over', undefined],
        ['', undefined],
    ];
    for (const [text, expected] of cases) {
        test(JSON.stringify(text), () => assert.equal(extractYesNo(text), expected));
    }
});

describe('after a marker', () => {
    test('the last occurrence, to the end of its line, one trailing period removed', () => {
        assert.equal(extractAfterMarker('The answer is 4? Let me check. The answer is: 3.5.\nDone', 'The answer is'), '3.5');
        assert.equal(extractAfterMarker('the ANSWER IS Paris', 'The answer is'), 'Paris');
        assert.equal(extractAfterMarker('答えは東京。', '答えは'), '東京');
        assert.equal(extractAfterMarker('e.g. Therefore, the answer is ...', 'the answer is'), '...', 'an ellipsis is not a sentence period');
        assert.equal(extractAfterMarker('The answer is\n', 'The answer is'), undefined);
        assert.equal(extractAfterMarker('no marker', 'The answer is'), undefined);
        assert.throws(() => extractAfterMarker('x', ' '), AnswerSettingsError);
    });
});

describe('regex with a capture group', () => {
    test('first participating group of the last match', () => {
        const extract = regexExtractor('Final: (\\w+)|ANSWER=(\\d+)');
        assert.equal(extract('Final: cat ... ANSWER=12'), '12');
        assert.equal(extract('Final: dog'), 'dog');
        assert.equal(extract('nothing'), undefined);
        assert.equal(regexExtractor(/label=(\w+)/i)('LABEL=pos label=neg'), 'neg');
    });
    test('a pattern without a group or an invalid one is a clear error', () => {
        assert.throws(() => regexExtractor('\\d+'), (e: unknown) => e instanceof AnswerSettingsError && /capture group/.test(e.message));
        assert.throws(() => regexExtractor('(?:x)'), AnswerSettingsError);
        assert.throws(() => regexExtractor('(unclosed'), (e: unknown) => e instanceof AnswerSettingsError && /not a regular expression/.test(e.message));
        assert.doesNotThrow(() => regexExtractor('(a)?b'));
    });
});

describe('JSON field', () => {
    test('dotted paths, wrapped JSON, types', () => {
        assert.equal(extractJsonField('{"answer": "yes"}', 'answer'), 'yes');
        assert.equal(extractJsonField('Here you go: {"result": {"label": "pos", "score": 0.9}} thanks', 'result.label'), 'pos');
        assert.equal(extractJsonField('{"result": {"score": 0.9}}', 'result.score'), '0.9');
        assert.equal(extractJsonField('{"items": [1, 2]}', 'items.1'), '2');
        assert.equal(extractJsonField('{"ok": true, "list": [1]}', 'ok'), 'true');
        assert.equal(extractJsonField('{"list": [1, "a"]}', 'list'), '[1,"a"]');
        assert.equal(extractJsonField('{"answer": null}', 'answer'), undefined);
        assert.equal(extractJsonField('{"answer": 1}', 'missing'), undefined);
        assert.equal(extractJsonField('{"toString": 1}', 'constructor'), undefined);
        assert.equal(extractJsonField('{"answer": ', 'answer'), undefined);
        assert.throws(() => extractJsonField('{}', ''), AnswerSettingsError);
    });
});

describe('extractor from the front matter settings', () => {
    test('explicit and inferred kinds', () => {
        assert.equal(answerExtractorFor()('x 1 y 2'), '2');
        assert.equal(answerExtractorFor({ extractor: 'choice' })('answer is b'), 'B');
        assert.equal(answerExtractorFor({ extractor: 'yes-no' })('Yes'), 'yes');
        assert.equal(answerExtractorFor({ marker: 'Label:' })('Label: spam'), 'spam');
        assert.equal(answerExtractorFor({ pattern: '<(\\w+)>' })('<a> <b>'), 'b');
        assert.equal(answerExtractorFor({ field: 'a' })('{"a": "z"}'), 'z');
    });
    test('a kind without the setting it needs is a clear error', () => {
        assert.throws(() => answerExtractorFor({ extractor: 'marker' }), (e: unknown) => e instanceof AnswerSettingsError && e.setting === 'marker');
        assert.throws(() => answerExtractorFor({ extractor: 'regex' }), (e: unknown) => e instanceof AnswerSettingsError && e.setting === 'pattern');
        assert.throws(() => answerExtractorFor({ extractor: 'json-field' }), (e: unknown) => e instanceof AnswerSettingsError && e.setting === 'field');
        assert.throws(() => answerExtractorFor({ extractor: 'regex', pattern: 'no group' }), AnswerSettingsError);
    });
});
