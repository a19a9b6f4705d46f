// Save as .prompt / Open as .prompt: a form written as a Dotprompt file and prepared by core preparePrompt asks for
// the same request; the prepared file read back into a form gives the same request again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptDocument } from '../../src/core/prompt/PromptDocument';
import { preparePrompt } from '../../src/core/prompt/preparePrompt';
import { escapeTemplateText, writePromptFile } from '../../src/core/prompt/promptFile';
import { buildRequest, type PlaygroundRun } from '../../src/core/panels/playground/buildRequest';
import { adapterSetKey, addAdapterRow, applyPreset, defaultForm, describeAdapters, loraOf, migrateForm, withAdapters } from '../../src/core/panels/playground/form';
import { formFromRun } from '../../src/core/panels/playground/formFromRun';
import type { PlaygroundForm } from '../../src/shared/protocols/playground';

const model = '/models/tiny.gguf';

function sample(): PlaygroundForm {
    const base = applyPreset(defaultForm(), 'balanced');
    return withAdapters({
        ...base,
        system: 'Answer in {{json}} style.\n',
        user: '  What is 2 + 2?\n\n  Think {{twice}} \\ no. ',
        sampling: { ...base.sampling, seed: '42', seedLocked: true, maxTokens: '16', stopSequences: 'END\n###' },
        logitBias: [{ word: ' no', tokens: [{ id: 7, piece: ' no' }], bias: -2.5, ban: false }, { word: 'x', tokens: [{ id: 9, piece: 'x' }], bias: 0, ban: true }],
        constraint: 'jsonSchema',
    }, model, rows => addAdapterRow(rows, '/adapters/a.gguf').map(r => ({ ...r, scale: 0.5 })));
}

async function prepare(text: string) {
    return preparePrompt(PromptDocument.fromText(text, '/work/saved.prompt'));
}

function built(form: PlaygroundForm): Extract<PlaygroundRun, { mode: 'chat' }> {
    const result = buildRequest(form, model);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.equal(result.run.mode, 'chat');
    return result.run as Extract<PlaygroundRun, { mode: 'chat' }>;
}

test('escapeTemplateText: {{ is literal; a backslash right before {{ cannot be written and is refused', async () => {
    assert.equal(escapeTemplateText('a {{b}} c'), 'a \\{{b}} c');
    assert.throws(() => escapeTemplateText('x \\{{y}}'), /backslash/);
    for (const text of ['a {{b}} c', 'a \\ {{b}}', 'no braces', '{{#if x}}y{{/if}}', 'end }}']) {
        const prepared = await prepare(writePromptFile({ messages: [{ role: 'user', text }], sampling: {} }));
        assert.deepEqual(prepared.messages, [{ role: 'user', text }], text);
    }
});

test('Save as .prompt then preparePrompt gives the same messages, sampling and adapters', async () => {
    const run = built(sample());
    const text = writePromptFile({ messages: run.messages, sampling: run.sampling, lora: run.lora, comment: 'Saved from the playground\nmodel: tiny' });
    assert.match(text, /^---\n# Saved from the playground\n# model: tiny\n/);
    assert.match(text, /maxOutputTokens: 16/);
    assert.match(text, /promptscope\.lora:/);
    const prepared = await prepare(text);
    assert.deepEqual(prepared.warnings, []);
    assert.deepEqual(prepared.messages, run.messages);
    assert.deepEqual(prepared.sampling, run.sampling);
    assert.deepEqual(prepared.lora, run.lora);
});

test('Open as .prompt: the prepared file as a form builds the same request', async () => {
    const form = sample();
    const run = built(form);
    const prepared = await prepare(writePromptFile({ messages: run.messages, sampling: run.sampling, lora: run.lora }));
    const opened = formFromRun({ messages: prepared.messages, sampling: prepared.sampling, lora: prepared.lora }, defaultForm(), model);
    assert.ok(opened.ok, !opened.ok ? opened.error : '');
    assert.deepEqual(opened.notes, []);
    const again = built(opened.form);
    assert.deepEqual(again, run);
    assert.deepEqual(migrateForm(opened.form), opened.form, 'the opened form is a complete form');
});

test('formFromRun refuses what the form cannot hold and notes what it drops', () => {
    const twoTurns = formFromRun({ messages: [{ role: 'user', text: 'a' }, { role: 'model', text: 'b' }, { role: 'user', text: 'c' }], sampling: {} });
    assert.ok(!twoTurns.ok);
    assert.match(twoTurns.error, /user, model, user/);
    const noted = formFromRun({ messages: [{ role: 'user', text: 'a' }], sampling: { repeatLastTokens: 8, stopSequences: ['a\nb'] } });
    assert.ok(noted.ok);
    assert.match(noted.notes.join(' '), /line break/);
    assert.equal(noted.form.sampling.repeatLastTokens, '8', 'repeat last-N is a form field');
    assert.equal(noted.form.system, '');
});

test('adapter lists: per model, enabled only, an empty list means the base model, scales outside 0…2 refused', () => {
    let form = withAdapters(defaultForm(), model, rows => addAdapterRow(rows, '/a.gguf'));
    form = withAdapters(form, model, rows => addAdapterRow(rows, '/b.gguf'));
    assert.deepEqual(loraOf(form, model), [{ path: '/a.gguf', scale: 1 }, { path: '/b.gguf', scale: 1 }]);
    assert.equal(loraOf(form, '/other.gguf'), undefined, 'another model keeps its own adapters');
    form = withAdapters(form, model, rows => rows.map(r => r.path === '/b.gguf' ? { ...r, enabled: false } : r));
    assert.deepEqual(loraOf(form, model), [{ path: '/a.gguf', scale: 1 }]);
    assert.deepEqual(addAdapterRow(form.adapters[model]!, '/b.gguf').map(r => r.enabled), [true, true], 'adding again re-enables');
    const none = withAdapters(form, model, rows => rows.map(r => ({ ...r, enabled: false })));
    assert.deepEqual(loraOf(none, model), []);
    assert.equal(describeAdapters([]), 'no adapters (base model)');
    assert.notEqual(adapterSetKey([{ path: '/a.gguf', scale: 1 }]), adapterSetKey([{ path: '/a.gguf', scale: 0.5 }]));
    assert.equal(withAdapters(form, model, () => []).adapters[model], undefined);

    const bad = withAdapters(defaultForm(), model, () => [{ path: '/a.gguf', enabled: true, scale: 3 }]);
    const result = buildRequest({ ...bad, user: 'x' }, model);
    assert.ok(!result.ok);
    assert.equal(result.errors[0]!.field, 'adapters');
    assert.equal(migrateForm(bad).adapters[model]![0]!.scale, 2, 'migration clamps');
    assert.deepEqual(migrateForm({ adapters: { [model]: [{ path: 5 }, { path: '/x.gguf', enabled: false }] } }).adapters, { [model]: [{ path: '/x.gguf', enabled: false, scale: 1 }] });
});
