// The playground's run history in a hostile or broken workspace (issue 15): a committed symbolic link is refused with
// the typed error, `promptscope.history.enabled: false` writes nothing, and damaged lines read back are warned about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionResult, ModelInfo } from '../../src/shared/runtimeApi';
import { UnsafePathError } from '../../src/shared/errors/UnsafePathError';
import { PlaygroundHistory } from '../../src/vscode/playground/PlaygroundHistory';
import { buildRequest } from '../../src/core/panels/playground/buildRequest';
import { defaultForm } from '../../src/core/panels/playground/form';

const model = { name: 'tiny', path: __filename, fileSizeBytes: 10, lora: [] } as unknown as ModelInfo;
const result: CompletionResult = {
    text: 'out', tokens: [1], stopReason: 'maxTokens', seed: 3,
    timing: { promptTokens: 3, generatedTokens: 1, ms: 1, timeToFirstTokenMs: 1, tokensPerSecond: 100 },
};
const form = { ...defaultForm(), user: 'hello' };

function run() {
    const built = buildRequest(form);
    assert.ok(built.ok);
    return built.run;
}

function withWorkspace(body: (folder: string) => Promise<void>): () => Promise<void> {
    return async () => {
        const folder = mkdtempSync(join(tmpdir(), 'promptscope-playground-safety-'));
        try {
            await body(folder);
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    };
}

test('a runs folder that is a symbolic link out of the workspace: the append throws UnsafePathError, nothing is written there', withWorkspace(async folder => {
    const outside = join(folder, 'outside');
    mkdirSync(outside);
    const workspace = join(folder, 'workspace');
    mkdirSync(join(workspace, '.promptscope'), { recursive: true });
    symlinkSync(outside, join(workspace, '.promptscope', 'runs'));
    const history = new PlaygroundHistory(() => workspace);
    await assert.rejects(history.append(form, run(), model, result), (error: unknown) => {
        assert.ok(error instanceof UnsafePathError);
        assert.match(error.message, /\.promptscope[/\\]runs is a symbolic link/);
        return true;
    });
    assert.ok(!existsSync(join(outside, `${new Date().toISOString().slice(0, 10)}.jsonl`)));
}));

test('promptscope.history.enabled false: the run is not recorded', withWorkspace(async folder => {
    let enabled = false;
    const history = new PlaygroundHistory(() => folder, { enabled: () => enabled });
    assert.equal(await history.append(form, run(), model, result), undefined);
    assert.ok(!existsSync(join(folder, '.promptscope')));
    enabled = true;
    assert.ok((await history.append(form, run(), model, result))?.endsWith('.jsonl'));
}));

test('a damaged line (a write cut short) is skipped with one warning naming the file; the next run is whole', withWorkspace(async folder => {
    const warnings: string[] = [];
    const history = new PlaygroundHistory(() => folder, { warn: message => warnings.push(message) });
    const file = (await history.append(form, run(), model, result))!;
    appendFileSync(file, '{"time":"cut');
    await history.append(form, run(), model, result);
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 4, 'two records, the torn line alone between them');
    assert.equal((await history.list()).length, 2);
    await history.list();
    assert.deepEqual(warnings, [`Run history ${file}: skipped 1 damaged line (a write cut short by a full disk or a killed process)`]);
    writeFileSync(file, '');
}));
