import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest } from '../../src/core/panels/playground/buildRequest';
import {
    activePreset, addBiasRow, applyPreset, clampBias, defaultForm, logitBiasOf, migrateForm, removeBiasRow, updateBiasRow,
} from '../../src/core/panels/playground/form';
import type { CompareState, PlaygroundForm } from '../../src/shared/protocols/playground';
import { PlaygroundFormStore } from '../../src/vscode/playground/PlaygroundFormStore';

const form = (change: Partial<PlaygroundForm> = {}, sampling: Partial<PlaygroundForm['sampling']> = {}): PlaygroundForm => {
    const base = defaultForm();
    return { ...base, user: 'Hi', ...change, sampling: { ...base.sampling, ...sampling } };
};

test('presets set the distribution fields only and are recognised; an edit makes the form custom', () => {
    const start = form({}, { seed: '7', seedLocked: true, maxTokens: '12', stopSequences: 'END' });
    const greedy = applyPreset(start, 'greedy');
    assert.equal(greedy.sampling.temperature, '0');
    assert.equal(activePreset(greedy.sampling), 'greedy');
    assert.deepEqual([greedy.sampling.seed, greedy.sampling.seedLocked, greedy.sampling.maxTokens, greedy.sampling.stopSequences], ['7', true, '12', 'END']);
    assert.equal(activePreset(applyPreset(start, 'creative').sampling), 'creative');
    assert.equal(activePreset(defaultForm().sampling), 'balanced');
    assert.equal(activePreset({ ...greedy.sampling, temperature: '0.3' }), 'custom');
});

test('every preset is valid under the runtime rules', () => {
    for (const name of ['greedy', 'balanced', 'creative'] as const) {
        const result = buildRequest(applyPreset(form(), name));
        assert.ok(result.ok, name);
    }
});

test('migration: nothing, junk or an old partial form gives a complete form, keeping what is valid', () => {
    assert.deepEqual(migrateForm(undefined), defaultForm());
    assert.deepEqual(migrateForm('junk'), defaultForm());
    const migrated = migrateForm({
        user: 'kept', raw: 'yes', constraint: 'regex',
        sampling: { temperature: 0.2, topK: '5', seedLocked: 1, maxTokens: null },
        logitBias: [{ word: ' yes', tokens: [{ id: 3, piece: ' yes' }, { id: -1, piece: 'x' }], bias: 50 }, { word: 'x', tokens: [] }, 42],
    });
    assert.equal(migrated.user, 'kept');
    assert.equal(migrated.raw, false);
    assert.equal(migrated.constraint, 'none');
    assert.equal(migrated.sampling.temperature, '0.2');
    assert.equal(migrated.sampling.topK, '5');
    assert.equal(migrated.sampling.seedLocked, false);
    assert.equal(migrated.sampling.maxTokens, defaultForm().sampling.maxTokens);
    assert.deepEqual(migrated.logitBias, [{ word: ' yes', tokens: [{ id: 3, piece: ' yes' }], bias: 10, ban: false }]);
    assert.equal(migrated.system, defaultForm().system);
});

test('logit bias rows: add, replace, clamp, ban wins, zero adds nothing, remove', () => {
    let rows = addBiasRow([], ' yes', [{ id: 5, piece: ' yes' }]);
    rows = addBiasRow(rows, ' no', [{ id: 6, piece: ' no' }, { id: 5, piece: ' yes' }]);
    assert.equal(logitBiasOf(rows), undefined, 'bias 0 everywhere');
    rows = updateBiasRow(rows, 0, { bias: 25 });
    assert.equal(rows[0]!.bias, 10);
    assert.deepEqual(logitBiasOf(rows), { 5: 10 });
    rows = updateBiasRow(rows, 1, { ban: true });
    assert.deepEqual(logitBiasOf(rows), { 5: 'ban', 6: 'ban' });
    rows = addBiasRow(rows, ' yes', [{ id: 9, piece: ' yes' }]);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], { word: ' yes', tokens: [{ id: 9, piece: ' yes' }], bias: 10, ban: false });
    assert.deepEqual(removeBiasRow(rows, 0).map(r => r.word), [' no']);
    assert.equal(clampBias(-11), -10);
    assert.equal(clampBias(Number.NaN), 0);
});

test('request: chat messages with the system message, sampling parsed, empty fields left to the defaults', () => {
    const result = buildRequest(form({ system: 'Be brief.' }, { temperature: '0', topK: '', seed: '42', seedLocked: true, stopSequences: 'END\n\nSTOP', maxTokens: '8' }));
    assert.ok(result.ok);
    assert.deepEqual(result.run, {
        mode: 'chat',
        messages: [{ role: 'system', text: 'Be brief.' }, { role: 'user', text: 'Hi' }],
        sampling: { temperature: 0, topP: 0.9, minP: 0.05, repeatPenalty: 1.1, repeatLastTokens: 64, maxTokens: 8, seed: 42, stopSequences: ['END', 'STOP'] },
    });
});

test('request: raw completion ignores the system message; an unlocked seed is not sent', () => {
    const result = buildRequest(form({ raw: true, user: 'Once upon' }, { seed: '3', seedLocked: false }));
    assert.ok(result.ok);
    assert.equal(result.run.mode, 'raw');
    assert.equal(result.run.mode === 'raw' && result.run.prompt, 'Once upon');
    assert.equal(result.run.sampling.seed, undefined);
});

test('request: invalid values are refused per field with validateSampling\'s own messages', () => {
    const result = buildRequest(form({ user: ' ' }, { temperature: '-1', topP: '1.5', topK: 'abc', seedLocked: true, seed: '' }));
    assert.ok(!result.ok);
    const byField = Object.fromEntries(result.errors.map(e => [e.field, e.message]));
    assert.equal(byField.temperature, 'Invalid sampling option temperature = -1: allowed a finite number ≥ 0 (0 = greedy).');
    assert.match(byField.topP!, /^Invalid sampling option topP = 1.5: allowed a number in \(0, 1\]/);
    assert.match(byField.topK!, /topK = NaN/);
    assert.match(byField.seed!, /locked seed/);
    assert.match(byField.user!, /user message/);
    assert.equal(byField.minP, undefined);
});

test('request: constraints — JSON schema parsed (parse errors shown), grammar passed through, bias included', () => {
    const bad = buildRequest(form({ constraint: 'jsonSchema', jsonSchema: '{"type": ' }));
    assert.ok(!bad.ok);
    assert.equal(bad.errors[0]!.field, 'jsonSchema');
    assert.match(bad.errors[0]!.message, /^Not valid JSON: /);
    const array = buildRequest(form({ constraint: 'jsonSchema', jsonSchema: '[]' }));
    assert.ok(!array.ok);
    assert.match(array.errors[0]!.message, /jsonSchema.*a JSON schema object/);

    const schema = buildRequest(form({ constraint: 'jsonSchema', jsonSchema: '{"type":"object"}', grammar: 'root ::= "x"' }));
    assert.ok(schema.ok);
    assert.deepEqual(schema.run.sampling.jsonSchema, { type: 'object' });
    assert.equal(schema.run.sampling.grammar, undefined, 'only the chosen constraint is sent');

    const grammar = buildRequest(form({ constraint: 'grammar', grammar: 'root ::= "x"', logitBias: [{ word: 'a', tokens: [{ id: 1, piece: 'a' }], bias: 0, ban: true }] }));
    assert.ok(grammar.ok);
    assert.equal(grammar.run.sampling.grammar, 'root ::= "x"');
    assert.deepEqual(grammar.run.sampling.logitBias, { 1: 'ban' });
    const empty = buildRequest(form({ constraint: 'grammar', grammar: '  ' }));
    assert.ok(!empty.ok);
    assert.equal(empty.errors[0]!.field, 'grammar');
});

test('request: a GBNF syntax error is a grammar field error with line:column and the offset, before any run', () => {
    const bad = buildRequest(form({ constraint: 'grammar', grammar: 'root ::= answer\nanswer ::= "yes" | "no' }));
    assert.ok(!bad.ok);
    const error = bad.errors.find(e => e.field === 'grammar');
    assert.ok(error, JSON.stringify(bad.errors));
    assert.match(error.message, /^2:20 unterminated string/);
    assert.equal(error.offset, 'root ::= answer\n'.length + 19);
    const undefinedRule = buildRequest(form({ constraint: 'grammar', grammar: 'root ::= answer' }));
    assert.ok(!undefinedRule.ok);
    assert.match(undefinedRule.errors[0]!.message, /^1:10 undefined rule "answer"/);
    // Another constraint chosen: the grammar text is not checked.
    assert.ok(buildRequest(form({ constraint: 'none', grammar: 'root ::= "' })).ok);
});

test('repeat penalty last-N: a form field (default 64) validated like the others', () => {
    assert.equal(defaultForm().sampling.repeatLastTokens, '64');
    const ok = buildRequest(form({}, { repeatLastTokens: '16' }));
    assert.ok(ok.ok);
    assert.equal(ok.run.sampling.repeatLastTokens, 16);
    for (const bad of ['-1', '2.5', 'abc']) {
        const refused = buildRequest(form({}, { repeatLastTokens: bad }));
        assert.ok(!refused.ok, bad);
        assert.equal(refused.errors[0]!.field, 'repeatLastTokens');
        assert.match(refused.errors[0]!.message, /repeatLastTokens/);
    }
    const empty = buildRequest(form({}, { repeatLastTokens: '' }));
    assert.ok(empty.ok && empty.run.sampling.repeatLastTokens === undefined, 'empty: the runtime default');
    assert.equal(migrateForm({ sampling: { repeatLastTokens: 32 } }).sampling.repeatLastTokens, '32');
    assert.equal(migrateForm({ sampling: {} }).sampling.repeatLastTokens, '64', 'an older saved form gets the default');
});

test('the last compare result is kept with the form in workspaceState: a finished one is stored, a running one is not, junk is ignored', async () => {
    const values = new Map<string, unknown>();
    const memento = {
        keys: () => [...values.keys()],
        get: <T>(key: string) => values.get(key) as T | undefined,
        update: async (key: string, value: unknown) => { values.set(key, value); },
    };
    const store = new PlaygroundFormStore(memento as unknown as ConstructorParameters<typeof PlaygroundFormStore>[0]);
    assert.equal(store.loadCompare(), undefined, 'nothing stored yet');
    const done: CompareState = {
        id: 3, phase: 'done', seed: 7,
        a: { label: 'form sampling, base model', output: ' cat', tokens: 1, stopReason: 'maxTokens' },
        b: { label: 'form sampling, lora ×1', output: ' dog', tokens: 1, stopReason: 'maxTokens' },
        diff: [{ kind: 'removed', text: ' cat' }, { kind: 'added', text: ' dog' }],
        positions: [{ piece: ' cat', pieceB: ' dog', kl: 1.5, unknownMass: 0 }],
        firstDivergence: 0,
    };
    await store.saveCompare(done);
    assert.deepEqual(store.loadCompare(), done);
    // A new compare starting does not take the last result away (a reload mid-compare shows the previous one).
    assert.equal(store.saveCompare({ id: 4, phase: 'running' }), undefined);
    assert.deepEqual(store.loadCompare(), done);
    const failed: CompareState = { id: 4, phase: 'failed', error: 'No model is loaded' };
    await store.saveCompare(failed);
    assert.deepEqual(store.loadCompare(), failed);
    for (const junk of [null, 'x', { id: 5, phase: 'running' }, { id: 5, phase: 'done' }, { phase: 'done', a: {}, b: {}, positions: [], diff: [] }]) {
        values.set('promptscope.playground.compare', junk);
        assert.equal(store.loadCompare(), undefined, JSON.stringify(junk));
    }
    assert.deepEqual(store.load(), defaultForm(), 'the form beside it is untouched');
});
