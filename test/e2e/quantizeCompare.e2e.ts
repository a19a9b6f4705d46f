// Quantize Model… and the token probabilities panel's "Compare with model…", as a user drives them: the palette, the
// quick picks and the (simple, in-page) file dialogs, the progress notification with its tensor count and its Cancel,
// llama.cpp's refusal as an error notification; then the panel compares the fixture model with the Q8_0 copy it made:
// tokens coloured by KL with a legend, per-token details from the keyboard, and a summary whose numbers are
// summarizeModelComparison of the per-token numbers on the page; a model of another vocabulary shows the refusal.
// The first scenario ends with its "Compare with original on a prompt…", which opens that view for hello.prompt.
// The scenarios run in order on one workbench: the later ones use the first one's file.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { summarizeModelComparison } from '../../src/core/comparison/summarizeModelComparison';
import { writeFixtureModel } from '../../src/core/fixtures';
import { fixtureFile, zooModelPath } from '../support/fixtures';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import type { Workbench } from './support/Workbench';
import { assertInert, assertListenersWork, assertStrictCsp, watchForScripts } from './support/webviewSafety';

const folder = mkdtempSync(join(tmpdir(), 'promptscope-e2e-quantize-'));
const quantized = join(folder, 'tiny-Q8_0.gguf');
// The files the scenarios write go with the test process (code-server has let go of them by then).
process.on('exit', () => rmSync(folder, { recursive: true, force: true }));

/** hello.prompt's probabilities panel, computed (the one an earlier scenario opened, else a new one). */
async function helloProbabilities(workbench: Workbench): Promise<Frame> {
    let panel = await workbench.webviewFrame('.tokens[role="listbox"]', 1_000).catch(() => undefined);
    if (panel === undefined) {
        await workbench.runCommand('View: Focus First Editor Group');
        await workbench.openFile('hello.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        panel = await workbench.webviewFrame('.tokens[role="listbox"]');
    }
    await eventually(async () => assert.ok(await panel.locator('.tokens .token.generated').count() > 0), 120_000);
    return panel;
}

/** Picks a quantization type as a user does in the long list: types part of its name, then clicks its row. */
async function pickType(workbench: Workbench, type: string): Promise<void> {
    await eventually(async () => assert.match(await workbench.quickInputPrompt(), /Quantization type/), 10_000);
    await workbench.page.locator('.quick-input-widget .quick-input-box input').fill(type);
    await workbench.pickQuickPickRow(new RegExp(`^${type}`));
}

/** The number a `data-` attribute holds (String(number) on the page: exact). */
async function numberAt(locator: ReturnType<Frame['locator']>, attribute: string): Promise<number> {
    const value = await locator.getAttribute(attribute);
    assert.ok(value !== null, `no ${attribute}`);
    return Number(value);
}

// One thread: the 100M fixture then takes long enough (IQ4_XS: half a minute) for a user to press Cancel.
e2eSuite('quantize and compare models', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel(), 'promptscope.threads': 1 } }) }, scenario => {
    scenario('Quantize Model…: the file dialog, the type with its summary, the output offered as <name>-<TYPE>.gguf; done, Compare with original on a prompt… opens the comparison', async ({ workbench }) => {
        // The prompt that "Compare with original on a prompt…" takes at the end: the active one.
        await workbench.openFile('hello.prompt');
        await workbench.runCommand('Promptscope: Quantize Model…');
        // No model is loaded yet: straight to the file dialog.
        await workbench.answerFileDialog(await fixtureModel(), 30_000);
        await eventually(async () => assert.match(await workbench.quickInputPrompt(), /Quantization type/), 10_000);
        // Each type with its summary, which the filter matches too.
        await workbench.page.locator('.quick-input-widget .quick-input-box input').fill('usual choice');
        await eventually(async () => assert.match((await workbench.quickPickRows().allInnerTexts()).join(' | '), /^Q4_K_M\s+4-bit k-quant .*the usual choice$/), 10_000);
        await pickType(workbench, 'Q8_0');
        // The save dialog starts at the offered name beside the input.
        await eventually(async () => assert.match(await workbench.quickInputPrompt(), /save the quantized model as/), 10_000);
        await eventually(async () => assert.match(await workbench.page.locator('.quick-input-box input').inputValue(), /tiny-seed1-Q8_0\.gguf$/), 10_000);
        await workbench.answerFileDialog(quantized);
        const done = workbench.notification(/quantized tiny-seed1\.gguf to Q8_0: tiny-Q8_0\.gguf/);
        await done.waitFor({ state: 'visible', timeout: 60_000 });
        assert.ok(existsSync(quantized));
        for (const action of ['Load quantized model', 'Compare with original on a prompt…']) {
            assert.equal(await done.getByRole('button', { name: action }).count(), 1, action);
        }
        // Compare with original: the original is loaded (the base) and hello.prompt's panel compares it with the new file.
        await done.getByRole('button', { name: 'Compare with original on a prompt…' }).click();
        const panel = await workbench.webviewFrame('.comparison .compare-token[data-kl]', 120_000);
        assert.match(await panel.locator('.comparison h2').innerText(), /Compared: tiny-seed1\.gguf \(base\) with tiny-Q8_0\.gguf/);
        assert.match(await panel.locator('h1').innerText(), /Token probabilities — hello\.prompt/);
        await workbench.clearNotifications();
    }, { timeoutMs: 180_000 });

    scenario('the progress notification counts tensors; its Cancel stops the quantization and leaves no file', async ({ workbench }) => {
        const large = await fixtureFile('quantize-cancel-100m.gguf', path => writeFixtureModel(path, { size: '100m' }));
        const output = join(folder, 'cancelled-IQ4_XS.gguf');
        await workbench.runCommand('Promptscope: Quantize Model…');
        // The first scenario's comparison loaded the original: it is offered first, the file dialog second.
        await eventually(async () => assert.match((await workbench.quickPickRows().allInnerTexts())[0] ?? '', /Promptscope fixture tiny[\s\S]*the loaded model/), 10_000);
        await workbench.pickQuickPickRow(/Browse for GGUF/);
        await workbench.answerFileDialog(large, 30_000);
        await pickType(workbench, 'IQ4_XS');
        await workbench.answerFileDialog(output);
        const progress = workbench.notification(/quantizing quantize-cancel-100m\.gguf to IQ4_XS/);
        await eventually(async () => assert.match(await progress.innerText(), /\d+ of \d+ tensors/), 60_000);
        await progress.hover();
        await progress.getByRole('button', { name: 'Cancel' }).click();
        await progress.waitFor({ state: 'hidden', timeout: 60_000 });
        // Cancelled is not a failure: no error, and no "quantized" message either.
        await workbench.page.waitForTimeout(1_000);
        assert.deepEqual((await workbench.notificationMessages()).filter(m => /quantize-cancel-100m|Cannot quantize|quantizing failed/.test(m)), []);
        assert.equal(existsSync(output), false);
        assert.deepEqual(readdirSync(folder).filter(f => f.startsWith('cancelled')), [], 'no partial file either');
    }, { timeoutMs: 180_000 });

    scenario('a refusal (requantizing a quantized model) is an error notification with llama.cpp\'s reason and Show Logs', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Quantize Model…');
        await workbench.pickQuickPickRow(/Browse for GGUF/);
        await workbench.answerFileDialog(quantized, 30_000);
        await pickType(workbench, 'Q4_0');
        await workbench.answerFileDialog(join(folder, 'requantized.gguf'));
        const error = workbench.errorNotification(/Cannot quantize .*tiny-Q8_0\.gguf to Q4_0: requantizing from type q8_0 is disabled/);
        await error.waitFor({ state: 'visible', timeout: 60_000 });
        assert.equal(await error.getByRole('button', { name: 'Show Logs' }).count(), 1);
        assert.equal(existsSync(join(folder, 'requantized.gguf')), false);
        await workbench.clearNotifications();
    });

    scenario('Compare with model…: tokens coloured by KL with a legend, details from the keyboard, the summary is summarizeModelComparison of the page\'s numbers', async ({ workbench }) => {
        const panel = await helloProbabilities(workbench);
        await assertStrictCsp(panel);
        // The first scenario's comparison is still shown: leave it, so what follows is this one's.
        if (await panel.locator('.comparison').isVisible()) {
            await panel.getByRole('button', { name: 'Close comparison' }).click();
            await eventually(async () => assert.equal(await panel.locator('.comparison').isVisible(), false), 10_000);
        }
        await panel.getByRole('button', { name: 'Compare with model…' }).click();
        await workbench.answerFileDialog(quantized, 30_000);
        const chips = panel.locator('.compare-tokens .compare-token');
        await panel.locator('.comparison .compare-status.done').waitFor({ state: 'visible', timeout: 120_000 });
        assert.ok(await panel.locator('.compare-tokens .compare-token[data-kl]').count() > 0, 'KL-coloured tokens');
        assert.match(await panel.locator('.comparison h2').innerText(), /Compared: tiny-seed1\.gguf \(base\) with tiny-Q8_0\.gguf/);
        // The probabilities' own tokens make way for the comparison.
        assert.equal(await panel.locator('.tokens').isVisible(), false);
        assert.equal(await panel.locator('.kl-legend .swatch').count(), 5);

        const count = await chips.count();
        assert.ok(count > 2);
        // Every token but the first has a background from the KL scale; the first was predicted by nothing.
        assert.equal(await chips.first().getAttribute('data-kl'), null);
        const backgrounds = await chips.evaluateAll(nodes => nodes.map(n => (n as HTMLElement).style.background));
        assert.equal(backgrounds[0], '');
        assert.ok(backgrounds.slice(1).every(b => /^(hsla?|rgba?)\(/.test(b)), `KL colours: ${backgrounds.slice(1, 4).join(', ')}`);

        // The per-token numbers on the page, summarized here, give the summary the page shows.
        const kl: number[] = [], baseLogprob: number[] = [], otherLogprob: number[] = [], baseTop: number[] = [], otherTop: number[] = [];
        for (let i = 1; i < count; i++) {
            const chip = chips.nth(i);
            kl.push(await numberAt(chip, 'data-kl'));
            baseLogprob.push(await numberAt(chip, 'data-base-logprob'));
            otherLogprob.push(await numberAt(chip, 'data-other-logprob'));
            baseTop.push(await numberAt(chip, 'data-base-top'));
            otherTop.push(await numberAt(chip, 'data-other-top'));
        }
        // The last position predicts past the text: the summary leaves it out, whatever it holds.
        const expected = summarizeModelComparison({ kl: [...kl, 0], baseLogprob, otherLogprob, baseTop: [...baseTop, -1], otherTop: [...otherTop, -2] });
        const shown = async (key: string) => numberAt(panel.locator(`dd[data-summary="${key}"]`), 'data-value');
        assert.equal(await shown('meanKl'), expected.meanKl.estimate);
        assert.equal(await shown('medianKl'), expected.medianKl);
        assert.equal(await shown('maxKl'), expected.maxKl);
        assert.equal(await shown('top1Agreement'), expected.top1Agreement.estimate);
        assert.equal(await shown('deltaLogprob'), expected.deltaLogprob.estimate);
        assert.equal(await shown('basePerplexity'), expected.basePerplexity);
        assert.equal(await shown('otherPerplexity'), expected.otherPerplexity);
        assert.equal(await shown('positions'), expected.positions);
        const summary = await panel.locator('.comparison dl.summary').innerText();
        assert.match(summary, /Mean KL\s*:?\s*[\d.e-]+ nats \(95% CI /);
        assert.match(summary, new RegExp(`Top-1 agreement\\s*:?\\s*[\\d.]+% \\(${expected.top1Agreement.agreeing} of ${expected.positions}; 95% CI `));
        assert.match(summary, /Δ log P/);
        assert.match(summary, /Perplexity \(base\)[\s\S]*Perplexity \(other\)/);

        // The keyboard: the list is one tab stop; arrows move; the details show both models at that token.
        await chips.first().focus();
        await panel.locator('.compare-tokens').press('ArrowRight');
        await panel.locator('.compare-tokens').press('ArrowRight');
        const details = panel.locator('.compare-details');
        await eventually(async () => assert.match(await details.locator('h2').innerText(), /^#2 token /), 10_000);
        const table = await details.locator('table').innerText();
        assert.match(table, /log P of this token\s+-?[\d.]+ \([^)]*%\)\s+-?[\d.]+ \([^)]*%\)/);
        assert.match(table, /Top token\s+“.*”.*\s+“.*”/);
        assert.match(await details.locator('dl').innerText(), /KL\(base ‖ other\) of the distribution that predicted it\s*:?\s*[\d.e-]+ nats/);
        await panel.locator('.compare-tokens').press('Enter');
        await eventually(async () => assert.match(await details.locator('h2').innerText(), /\(pinned/), 10_000);
        await workbench.screenshot('quantize-compare--comparison');

        await panel.getByRole('button', { name: 'Close comparison' }).click();
        await eventually(async () => assert.equal(await panel.locator('.tokens').isVisible(), true), 10_000);
        assert.equal(await panel.locator('.comparison').isVisible(), false);
    }, { timeoutMs: 240_000 });

    scenario('model text and file names with <img onerror> are text in the comparison (tokens, details, heading); nothing runs', async ({ server, workbench }) => {
        const payload = `<img src=x onerror=console.log('XSS-RAN')> </script><script>console.log('XSS-RAN')</script>`;
        writeFileSync(join(server.workspace, 'xss-compare.prompt'), `---\nconfig:\n  maxOutputTokens: 8\n---\n{{role "user"}}\nRepeat after me: ${payload}\n`);
        // A file name can hold markup too (no slash in it): the heading names the other model.
        const named = join(folder, '<img src=x onerror=alert(1)>.gguf');
        copyFileSync(quantized, named);
        await workbench.runCommand('View: Focus First Editor Group');
        await workbench.openFile('xss-compare.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        const panel = await workbench.webviewFrame('h1:has-text("xss-compare.prompt")', 120_000);
        await eventually(async () => assert.ok(await panel.locator('.tokens .token.generated').count() > 0), 120_000);
        const watch = await watchForScripts(workbench, panel);
        try {
            await panel.getByRole('button', { name: 'Compare with model…' }).click();
            await workbench.answerFileDialog(named, 30_000);
            await panel.locator('.comparison .compare-status.done').waitFor({ state: 'visible', timeout: 120_000 });
            assert.match(await panel.locator('.comparison h2').innerText(), /with <img src=x onerror=alert\(1\)>\.gguf/);
            const tokens = (await panel.locator('.compare-tokens .compare-token').allTextContents()).join('');
            assert.ok(tokens.includes(payload), `the compared tokens spell the payload: ${tokens}`);
            assert.equal(await panel.locator('.compare-tokens .compare-token *').count(), 0, 'token chips hold text only');
            await panel.locator('.compare-tokens .compare-token', { hasText: '<' }).first().hover();
            await eventually(async () => assert.match(await panel.locator('.compare-details h2').innerText(), /^#\d+ token /), 10_000);
            await assertInert(panel, watch);
            await assertListenersWork(panel, watch);
        } finally {
            watch.stop();
        }
    }, { timeoutMs: 240_000 });

    scenario('a model of another vocabulary: the panel shows the runtime\'s refusal, and so does a notification', async ({ workbench }) => {
        const panel = await helloProbabilities(workbench);
        const other = await zooModelPath('llama3');
        await panel.getByRole('button', { name: 'Compare with model…' }).click();
        await workbench.answerFileDialog(other, 30_000);
        await eventually(async () => assert.match(await panel.locator('.compare-status').innerText(), /^Comparison failed: .*cannot be compared with/), 120_000);
        assert.equal(await panel.locator('.compare-tokens .compare-token').count(), 0);
        await workbench.errorNotification(/cannot compare with zoo-llama3-tiny\.gguf/).waitFor({ state: 'visible', timeout: 30_000 });
    }, { timeoutMs: 180_000 });
});
