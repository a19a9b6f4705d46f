import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultInlineCompletionSettings, readInlineCompletionSettings } from '../../src/vscode/completion/inlineCompletionSettings';

const reader = (values: Record<string, unknown>) => (key: string) => values[key];

test('unset inline completion settings take their defaults', () => {
    assert.deepEqual(readInlineCompletionSettings(reader({})), { settings: { enabled: true, maxTokens: 32 }, problems: [] });
});

test('valid values are used', () => {
    const { settings, problems } = readInlineCompletionSettings(reader({ 'inlineCompletion.enabled': false, 'inlineCompletion.maxTokens': 8 }));
    assert.deepEqual(settings, { enabled: false, maxTokens: 8 });
    assert.deepEqual(problems, []);
});

test('invalid values fall back to the defaults and are reported', () => {
    const { settings, problems } = readInlineCompletionSettings(reader({ 'inlineCompletion.enabled': 'yes', 'inlineCompletion.maxTokens': 0 }));
    assert.deepEqual(settings, defaultInlineCompletionSettings);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /inlineCompletion\.enabled/);
    assert.match(problems[1]!, /inlineCompletion\.maxTokens: 0 /);
    assert.equal(readInlineCompletionSettings(reader({ 'inlineCompletion.maxTokens': 2.5 })).problems.length, 1);
    assert.equal(readInlineCompletionSettings(reader({ 'inlineCompletion.maxTokens': 100_000 })).settings.maxTokens, 32);
});

test('package.json declares the settings with the same defaults', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    const properties = manifest.contributes.configuration.properties;
    assert.equal(properties['promptscope.inlineCompletion.enabled']?.default, defaultInlineCompletionSettings.enabled);
    assert.equal(properties['promptscope.inlineCompletion.maxTokens']?.default, defaultInlineCompletionSettings.maxTokens);
});
