// Speculative decoding and watermarks in the playground, on the fixture model in a real workbench: a run with the
// fixture as its own draft (min probability 0, so every draft is taken) colours its tokens by source, one chip per
// generated token, keyboard-navigable; a hard watermark generated in the playground is found by Detect Watermark…
// (key asked in a password box) with z ≥ 4, each token green or red, and the key appears nowhere in the panel.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { chooseOption } from './support/vscodeElements';
import { assertInert, assertStrictCsp, watchForScripts } from './support/webviewSafety';

const payload = `<img src=x onerror=console.log('XSS-RAN')> </script><script>console.log('XSS-RAN')</script>`;

const key = 'e2e-watermark-secret';

e2eSuite('speculative and watermark', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('a speculative playground run colours each generated token by source; a watermarked one is detected', async ({ workbench, server }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const run = view.getByRole('button', { name: 'Run', exact: true });
        await run.waitFor({ state: 'visible', timeout: 30_000 });
        await chooseOption(view.locator('#preset'), 'greedy');
        await view.getByLabel('User message').fill('Once upon a time');
        await view.getByLabel('Max tokens').fill('16');
        await chooseOption(view.locator('#speculativeMethod'), 'draftModel');
        await view.getByLabel('Draft model path').fill(await fixtureModel());
        await view.getByLabel('Min draft probability').fill('0');
        assert.equal(await view.locator('p.error:not(:empty)').count(), 0, 'the form is valid');
        await run.click();
        await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);

        const facts = await view.locator('dl.facts').first().innerText();
        const generated = Number(/generated tokens\s+(\d+)/.exec(facts)?.[1]);
        assert.ok(generated > 0, facts);
        const chips = view.locator('.speculation-tokens .coloured-token');
        await eventually(async () => assert.equal(await chips.count(), generated, 'one chip per generated token'), 10_000);
        assert.ok(await view.locator('.speculation-tokens .spec-accepted').count() > 0, 'accepted drafts are coloured');
        const figures = await view.locator('.speculation dl.facts').innerText();
        assert.match(figures, /acceptance\s+\d+\/\d+ drafts \([\d.]+%\)/);
        assert.match(figures, /speed-up\s+[\d.]+ tokens per model evaluation/);
        assert.match(figures, /draft time\s+\d+ ms/);
        // The token list is one tab stop; End moves to the last token, whose label says its place and source.
        await chips.first().focus();
        await chips.first().press('End');
        await eventually(async () => assert.match(await view.locator('.speculation .token-readout').innerText(), new RegExp(`^#${generated - 1} “.*”: (accepted draft|the model's own)`)), 5_000);
        await workbench.screenshot('speculative-watermark--speculation');

        // Show probabilities of that run: its generated tokens carry the same sources (an underline under the metric's colour).
        const acceptedChips = await view.locator('.speculation-tokens .spec-accepted').count();
        await view.getByRole('button', { name: 'Show probabilities', exact: true }).click();
        const probabilities = await workbench.webviewFrame('.tokens[role="listbox"]');
        await eventually(async () => assert.equal(await probabilities.locator('.tokens .token.generated').count(), generated), 120_000);
        assert.equal(await probabilities.locator('.tokens .token.generated.spec-accepted').count(), acceptedChips);
        assert.equal(await probabilities.locator('.tokens .token.generated.spec-accepted, .tokens .token.generated.spec-sampled').count(), generated);
        assert.match(await probabilities.locator('.speculation-legend').innerText(), new RegExp(`^Speculative run: ${acceptedChips} of ${generated} generated tokens were accepted drafts`));
        assert.match(await probabilities.locator('.tokens .token.generated.spec-accepted').first().getAttribute('aria-label') ?? '', /; accepted draft/);
        await workbench.screenshot('speculative-watermark--probabilities');
        await workbench.runCommand('View: Close All Editors');

        // A hard watermark from the playground: speculation off, the key in a password field.
        await chooseOption(view.locator('#speculativeMethod'), 'off');
        await view.locator('#watermarkEnabled').click();
        const keyField = view.getByLabel('Watermark key');
        await keyField.fill(key);
        assert.equal(await view.locator('#watermarkKey').evaluate(node => (node as HTMLElement & { type: string }).type), 'password');
        await view.locator('#watermarkHard').click();
        await view.getByLabel('Max tokens').fill('40');
        assert.equal(await view.locator('p.error:not(:empty)').count(), 0, 'the watermark fields are valid');
        // The status says Done (of the last run) until the host's state of the new run arrives: wait for the new output.
        const outputBox = view.getByLabel('Output', { exact: true });
        const previous = await outputBox.innerText();
        await run.click();
        await eventually(async () => {
            assert.equal((await view.locator('p.status').innerText()).trim(), 'Done');
            assert.notEqual(await outputBox.innerText(), previous, 'the watermarked run\'s output');
        }, 120_000);
        const output = await outputBox.innerText();
        assert.equal(await view.locator('.speculation-tokens').count(), 0, 'no speculation view for a plain run');

        writeFileSync(join(server.workspace, 'watermarked.txt'), output);
        await workbench.openFile('watermarked.txt');
        // Seen once in code-server: the editor came up empty for a file written a moment before, and the command
        // rightly refused an empty document. Detect only once the editor shows the text.
        const firstWord = output.trim().split(/\s+/)[0]!;
        await eventually(async () => assert.ok((await workbench.editorText(workbench.editorOf('/watermarked.txt'))).includes(firstWord), 'the editor shows the written text'), 15_000);
        await workbench.runCommand('Promptscope: Detect Watermark…');
        await workbench.answerQuickInput(key);
        await workbench.answerQuickInput('0.25');
        const panel = await workbench.webviewFrame('.verdict', 120_000);
        await eventually(async () => assert.match(await panel.locator('.verdict').innerText(), /^Watermarked: z \d+\.\d\d ≥ 4\.$/), 10_000);
        assert.ok(await panel.locator('.coloured-token.wm-green').count() > 1);
        const html = await panel.locator('body').innerHTML();
        assert.ok(!html.includes(key), 'the key is not in the panel');
        const first = panel.locator('.coloured-tokens .coloured-token').nth(1);
        await first.focus();
        await eventually(async () => assert.match(await panel.locator('.token-readout').innerText(), /^#1 “.*”: (green|red|not scored .*), running z (-?\d+\.\d\d|n\/a)$/), 5_000);
        await workbench.screenshot('speculative-watermark--detection');
    }, { timeoutMs: 300_000 });

    scenario('Detect Watermark… on a text with <img onerror> and </script>: its tokens are shown as text under a strict CSP; nothing runs', async ({ workbench, server }) => {
        await workbench.runCommand('View: Close All Editors');
        writeFileSync(join(server.workspace, 'markup.txt'), payload);
        await workbench.openFile('markup.txt');
        await workbench.runCommand('Promptscope: Detect Watermark…');
        await workbench.answerQuickInput('any key');
        await workbench.answerQuickInput('0.25');
        const panel = await workbench.webviewFrame('.verdict', 120_000);
        await assertStrictCsp(panel);
        const watch = await watchForScripts(workbench, panel);
        try {
            assert.match(await panel.locator('.verdict').innerText(), /^No watermark found: z -?\d+\.\d\d < 4\.$/);
            assert.equal((await panel.locator('.coloured-tokens').innerText()).trim(), payload);
            assert.equal(await panel.locator('.coloured-tokens').evaluate(el => [...el.children].every(c => c.children.length === 0)), true, 'each token holds text only');
            await assertInert(panel, watch);
            await workbench.screenshot('speculative-watermark--markup');
        } finally {
            watch.stop();
        }
    });
});
