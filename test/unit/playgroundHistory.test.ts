// The playground's run history (the CLI's JSONL under .promptscope/runs/) and the A/B sides' runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionResult, ModelInfo } from '../../src/shared/runtimeApi';
import { PlaygroundHistory } from '../../src/vscode/playground/PlaygroundHistory';
import { sideRun } from '../../src/vscode/playground/runCompare';
import { buildRequest } from '../../src/core/panels/playground/buildRequest';
import { addAdapterRow, applyPreset, defaultForm, withAdapters } from '../../src/core/panels/playground/form';

const model = { name: 'tiny', path: __filename, fileSizeBytes: 10, lora: [] } as unknown as ModelInfo;
const result = (text: string, seed: number): CompletionResult => ({
    text, tokens: [1, 2], stopReason: 'maxTokens', seed,
    timing: { promptTokens: 3, generatedTokens: 2, ms: 12.4, timeToFirstTokenMs: 1, tokensPerSecond: 100 },
});

test('every run is one CLI-format line; the list is newest first and reopens the form', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'promptscope-history-'));
    try {
        const history = new PlaygroundHistory(() => folder);
        const form = { ...defaultForm(), user: 'first' };
        const built = buildRequest(form);
        assert.ok(built.ok);
        const file = await history.append(form, built.run, model, result('one', 7));
        assert.ok(file !== undefined && file.startsWith(join(folder, '.promptscope', 'runs')) && file.endsWith('.jsonl'));
        const second = { ...defaultForm(), user: 'second' };
        const built2 = buildRequest(second);
        assert.ok(built2.ok);
        await new Promise(resolve => setTimeout(resolve, 5));
        await history.append(second, built2.run, model, result('two', 8));
        appendFileSync(file, '{"broken\n');

        const lines = readFileSync(file, 'utf8').trim().split('\n');
        assert.equal(lines.length, 3);
        const record = JSON.parse(lines[0]!);
        for (const key of ['time', 'command', 'promptHash', 'messages', 'model', 'sampling', 'seed', 'adapters', 'strategy', 'outputs', 'timing']) {
            assert.ok(key in record, key);
        }
        assert.equal(record.command, 'playground');
        assert.deepEqual(record.outputs, ['one']);
        assert.equal(record.seed, 7);
        assert.match(record.model.hash, /^sha256-edges:/);

        const entries = await history.list();
        assert.deepEqual(entries.map(e => e.output), ['two', 'one']);
        assert.equal(entries[0]!.preview, 'second');
        assert.ok(entries.every(e => e.openable));
        const reopened = await history.get(entries[1]!.key);
        assert.equal(reopened?.playground?.user, 'first');
        assert.equal(await history.get('../etc:1'), undefined);
        assert.deepEqual(readdirSync(join(folder, '.promptscope', 'runs')).length, 1);
    } finally {
        rmSync(folder, { recursive: true, force: true });
    }
});

test('no workspace folder: nothing is written, the list is empty', async () => {
    const history = new PlaygroundHistory(() => undefined);
    const built = buildRequest({ ...defaultForm(), user: 'x' });
    assert.ok(built.ok);
    assert.equal(await history.append(defaultForm(), built.run, model, result('x', 1)), undefined);
    assert.deepEqual(await history.list(), []);
});

test('compare sides: base vs adapters, a scale override, a preset; invalid scales refused', () => {
    const path = '/m.gguf';
    const form = withAdapters({ ...applyPreset(defaultForm(), 'balanced'), user: 'q' }, path, rows => addAdapterRow(rows, '/a.gguf'));
    const base = sideRun(form, path, { preset: 'form', adapters: 'none', scale: '' });
    assert.ok('run' in base);
    assert.deepEqual(base.run.lora, []);
    assert.match(base.label, /base model/);
    const scaled = sideRun(form, path, { preset: 'greedy', adapters: 'form', scale: '0.5' });
    assert.ok('run' in scaled);
    assert.deepEqual(scaled.run.lora, [{ path: '/a.gguf', scale: 0.5 }]);
    assert.equal(scaled.run.sampling.temperature, 0);
    assert.match(scaled.label, /greedy sampling, a\.gguf ×0\.5/);
    const bad = sideRun(form, path, { preset: 'form', adapters: 'form', scale: '5' });
    assert.ok('error' in bad);
    assert.match(bad.error, /adapters/);
});
