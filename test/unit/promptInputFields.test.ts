import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inputFields, parseInputValue, PromptDocument, type InputField } from '../../src/core/prompt';

const fields = (text: string) => inputFields(PromptDocument.fromText(text, '/p/x.prompt'));

describe('inputFields', () => {
    test('lists schema fields in order, with required, types, description, enum and defaults', async () => {
        const got = await fields([
            '---', 'input:', '  schema:', '    topic: string, what to explain', '    audience?: string', '    n: integer',
            '    tone?(enum, how it sounds): [friendly, formal]', '  default:', '    topic: cats', '---', '{{topic}}',
        ].join('\n'));
        assert.deepEqual(got, [
            { name: 'topic', types: ['string'], required: true, hasDefault: true, description: 'what to explain' },
            { name: 'audience', types: ['string'], required: false, hasDefault: false },
            { name: 'n', types: ['integer'], required: true, hasDefault: false },
            { name: 'tone', types: [], required: false, hasDefault: false, description: 'how it sounds', enum: ['friendly', 'formal'] },
        ]);
    });

    test('without a schema, the defaults are the fields', async () => {
        assert.deepEqual(await fields('---\ninput:\n  default:\n    a: 1\n---\n{{a}}'), [{ name: 'a', types: [], required: false, hasDefault: true }]);
    });

    test('nothing for no front matter, broken YAML or a broken schema', async () => {
        assert.deepEqual(await fields('Hello {{name}}'), []);
        assert.deepEqual(await fields('---\ninput: [\n---\nHi'), []);
        assert.deepEqual(await fields('---\ninput:\n  schema:\n    a: strng\n---\n{{a}}'), []);
    });
});

describe('parseInputValue', () => {
    const field = (over: Partial<InputField>): InputField => ({ name: 'x', types: ['string'], required: true, hasDefault: false, ...over });

    test('strings are taken as typed, empty optional fields are left out', () => {
        assert.deepEqual(parseInputValue(field({}), ' 42 '), { value: ' 42 ' });
        assert.deepEqual(parseInputValue(field({}), ''), { value: '' });
        assert.deepEqual(parseInputValue(field({ required: false }), ''), { value: undefined });
    });

    test('numbers, integers and booleans are parsed and checked', () => {
        assert.deepEqual(parseInputValue(field({ types: ['integer'] }), '3'), { value: 3 });
        assert.ok('error' in parseInputValue(field({ types: ['integer'] }), '3.5'));
        assert.deepEqual(parseInputValue(field({ types: ['number'] }), '3.5'), { value: 3.5 });
        assert.ok('error' in parseInputValue(field({ types: ['number'] }), 'many'));
        assert.deepEqual(parseInputValue(field({ types: ['boolean'] }), 'false'), { value: false });
        assert.ok('error' in parseInputValue(field({ types: ['boolean'] }), 'yes'));
    });

    test('enums take one of their values', () => {
        const tone = field({ types: [], enum: ['friendly', 'formal'] });
        assert.deepEqual(parseInputValue(tone, 'formal'), { value: 'formal' });
        assert.match((parseInputValue(tone, 'rude') as { error: string }).error, /friendly, formal/);
    });

    test('arrays and objects are JSON; untyped fields are JSON when they look like it', () => {
        assert.deepEqual(parseInputValue(field({ types: ['array'] }), '["a", "b"]'), { value: ['a', 'b'] });
        assert.match((parseInputValue(field({ types: ['array'] }), 'a, b') as { error: string }).error, /JSON/);
        assert.deepEqual(parseInputValue(field({ types: [] }), '{"a": 1}'), { value: { a: 1 } });
        assert.deepEqual(parseInputValue(field({ types: [] }), '[not json'), { value: '[not json' });
        assert.deepEqual(parseInputValue(field({ types: [] }), 'plain'), { value: 'plain' });
    });
});
