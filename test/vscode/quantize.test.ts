// Promptscope: Quantize Model… inside a real extension host, on the fixture models through the runtime host's
// llama.cpp quantizer: the file it writes loads, progress counts the tensors, cancelling leaves no file (not even a
// partial one), and a refusal (llama.cpp's: requantizing a quantized model; ours: an existing output) is reported as
// the failure message the user sees, by the error's class.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { QuantizeProgress } from '../../src/shared/runtimeApi';
import type { Ctx } from '../../src/vscode/Ctx';
import type { QuantizeOutcome } from '../../src/vscode/quantize/ModelQuantizer';
import { writeFixtureModel } from '../../src/core/fixtures';
import { fixtureFile, fixtureModelPath } from '../support/fixtures';

describe('Promptscope: Quantize Model…', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let folder: string;
    let model: string;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        folder = mkdtempSync(join(tmpdir(), 'promptscope-quantize-'));
        model = await fixtureModelPath();
    });

    after(() => rmSync(folder, { recursive: true, force: true }));

    const quantize = (input: unknown, options: Record<string, unknown>) =>
        vscode.commands.executeCommand<QuantizeOutcome | undefined>('promptscope.quantizeModel', input, { offerNextSteps: false, ...options });

    it('is a palette command', async () => {
        assert.ok((await vscode.commands.getCommands(true)).includes('promptscope.quantizeModel'));
        const manifest = vscode.extensions.getExtension('promptscope.promptscope')!.packageJSON as { contributes: { commands: { command: string; title: string }[] } };
        assert.equal(manifest.contributes.commands.find(c => c.command === 'promptscope.quantizeModel')?.title, 'Quantize Model…');
    });

    it('writes the quantized file with progress per tensor, and the file loads', async () => {
        const output = join(folder, 'tiny-Q8_0.gguf');
        const seen: QuantizeProgress[] = [];
        const outcome = await quantize(model, { type: 'q8_0', output, onProgress: (p: QuantizeProgress) => seen.push(p) });
        assert.equal(outcome?.status, 'done', JSON.stringify(outcome));
        if (outcome?.status !== 'done') return;
        assert.equal(outcome.result.output, output);
        assert.equal(outcome.result.type, 'Q8_0');
        assert.ok(existsSync(output));
        assert.ok(seen.length > 0, 'progress was reported');
        assert.equal(seen.at(-1)!.tensorsDone, seen.at(-1)!.tensorsTotal);
        assert.equal(seen.at(-1)!.tensorsTotal, outcome.result.tensors);
        assert.ok(seen.every((p, i) => i === 0 || p.tensorsDone >= seen[i - 1]!.tensorsDone), 'tensors done only grows');

        const loaded = await vscode.commands.executeCommand<string | undefined>('promptscope.loadModel', { ref: output, origin: 'user' });
        assert.ok(loaded);
        assert.equal(ctx.models.model?.path, output);
        assert.equal(ctx.models.model?.quantization.includes('Q8_0'), true, ctx.models.model?.quantization);
        await ctx.models.unload();
    });

    it('cancelling stops it and leaves no file', async () => {
        const large = await fixtureFile('quantize-cancel-100m.gguf', path => writeFixtureModel(path, { size: '100m' }));
        const output = join(folder, 'cancelled.gguf');
        const controller = new AbortController();
        const seen: QuantizeProgress[] = [];
        const outcome = await quantize(large, {
            type: 'Q4_K_M', output, signal: controller.signal,
            onProgress: (p: QuantizeProgress) => {
                seen.push(p);
                if (p.tensorsDone >= 2) controller.abort();
            },
        });
        assert.equal(outcome?.status, 'cancelled', JSON.stringify(outcome));
        assert.ok(seen.at(-1)!.tensorsDone < seen.at(-1)!.tensorsTotal, 'it stopped before the end');
        assert.equal(existsSync(output), false);
        assert.deepEqual(readdirSync(folder).filter(f => f.startsWith('cancelled')), [], 'no partial file either');
    });

    it('shows llama.cpp\'s refusal to requantize, and refuses an existing output, writing nothing', async () => {
        const quantized = join(folder, 'tiny-Q4_0.gguf');
        assert.equal((await quantize(model, { type: 'Q4_0', output: quantized }))?.status, 'done');

        const again = join(folder, 'requantized.gguf');
        const refused = await quantize(quantized, { type: 'Q8_0', output: again });
        assert.equal(refused?.status, 'failed');
        if (refused?.status !== 'failed') return;
        // The extension's bundle revived it as its class; this bundle has a class of the same name.
        assert.equal((refused.error as Error).name, 'QuantizationError');
        assert.match(refused.failure.message, /^Promptscope: Cannot quantize .*tiny-Q4_0\.gguf to Q8_0: requantizing from type q4_0 is disabled/);
        assert.deepEqual(refused.failure.actions, ['Show Logs']);
        assert.equal(existsSync(again), false);

        const existing = join(folder, 'existing.gguf');
        writeFileSync(existing, 'keep me');
        const unsafe = await quantize(model, { type: 'Q8_0', output: existing });
        assert.equal(unsafe?.status, 'failed');
        if (unsafe?.status !== 'failed') return;
        assert.equal((unsafe.error as Error).name, 'UnsafePathError');
        assert.match(unsafe.failure.message, /^Promptscope: Refusing to write .*existing\.gguf: the file exists/);
        assert.equal(readFileSync(existing, 'utf8'), 'keep me');
    });

    it('refuses a file that is not a GGUF, by its class', async () => {
        const text = join(folder, 'notes.gguf');
        writeFileSync(text, 'not a model at all, just some text that is long enough');
        const outcome = await quantize(text, { type: 'Q8_0', output: join(folder, 'notes-Q8_0.gguf') });
        assert.equal(outcome?.status, 'failed');
        if (outcome?.status !== 'failed') return;
        assert.equal((outcome.error as Error).name, 'ModelFileError');
        assert.deepEqual(outcome.failure.actions, ['Show Logs']);
        assert.equal(existsSync(join(folder, 'notes-Q8_0.gguf')), false);
    });
});
