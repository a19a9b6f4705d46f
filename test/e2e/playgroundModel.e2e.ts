// The playground's model section on the fixture models: GGUF metadata on hover (and on keyboard focus), the recent
// models list, Browse / Load Model… with a GGUF file, switching back through the recent list, and hf: URIs — a
// malformed one refused with the reason before anything loads, a well-formed one failing clearly without a network.
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { otherFixtureModelPath } from '../support/fixtures';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { chooseOption } from './support/vscodeElements';

e2eSuite('playground model', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('model section: metadata hover, recent models, browse for a GGUF, hf: URI validation (offline)', async ({ workbench }) => {
        const first = await fixtureModel();
        const other = await otherFixtureModelPath();
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const line = view.locator('#model-line');
        const details = view.getByRole('tooltip');
        const status = view.locator('#model-status');

        // A short run loads the configured model.
        await view.getByLabel('User message').fill('Hello');
        await view.getByLabel('Max tokens').fill('4');
        await view.getByRole('button', { name: 'Run', exact: true }).click();
        await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);
        await eventually(async () => assert.match(await line.innerText(), /^Promptscope fixture tiny .* · cpu · /), 30_000);

        // Hover: the GGUF metadata (architecture, size, quantization, context length, chat template).
        await line.hover();
        await details.waitFor({ state: 'visible', timeout: 10_000 });
        const shown = await details.innerText();
        assert.match(shown, /^Architecture: llama$/m);
        assert.match(shown, /^Size: \d+(\.\d+)? (B|KiB|MiB) \(.+ parameters\)$/m);
        assert.match(shown, /^Quantization: \S+/m);
        assert.match(shown, /^Context length: 2048 trained, \d+ in use$/m);
        assert.match(shown, /^Chat template: present$/m);
        assert.match(shown, new RegExp(`^File: .*${basename(first).replace(/\./g, '\\.')}$`, 'm'));
        await workbench.screenshot('playground-model--hover');
        // The keyboard gets it too: focus shows it, Escape dismisses it.
        await view.locator('#recent-models').hover();
        await details.waitFor({ state: 'hidden', timeout: 5_000 });
        await line.focus();
        await details.waitFor({ state: 'visible', timeout: 5_000 });
        await line.press('Escape');
        await details.waitFor({ state: 'hidden', timeout: 5_000 });

        // Recent models: the loaded model is listed.
        const recentValues = () => view.locator('#recent-models vscode-option').evaluateAll(nodes => nodes.map(n => n.getAttribute('value')));
        await eventually(async () => assert.ok((await recentValues()).includes(first), `recent: ${JSON.stringify(await recentValues())}`), 10_000);

        // Browse / Load Model… → Browse for GGUF… → the other fixture model.
        await view.getByRole('button', { name: 'Browse / Load Model…', exact: true }).click();
        await workbench.pickQuickPickRow(/Browse for GGUF/);
        await workbench.answerFileDialog(other);
        const fileShown = async (path: string) => {
            await line.hover();
            await details.waitFor({ state: 'visible', timeout: 5_000 });
            assert.match(await details.innerText(), new RegExp(`^File: .*${basename(path).replace(/\./g, '\\.')}$`, 'm'));
        };
        await eventually(() => fileShown(other), 120_000);
        await eventually(async () => assert.ok((await recentValues()).includes(other), 'the browsed model joins the recent list'), 10_000);

        // Back to the first model through the recent list.
        await chooseOption(view.locator('#recent-models'), first);
        await eventually(() => fileShown(first), 120_000);

        // hf: URIs. A malformed one is refused with the reason, before anything loads.
        const hf = view.locator('#hf-uri input');
        await hf.fill('hf:just-an-owner');
        await hf.press('Enter');
        await eventually(async () => assert.equal(await status.innerText(), 'Expected hf:owner/repo, hf:owner/repo:QUANT or hf:owner/repo/path/file.gguf'), 10_000);
        await fileShown(first);
        // A well-formed one is fetched from Hugging Face: without a network that fails, and says so.
        await hf.fill('hf:promptscope/does-not-exist:Q4_K_M');
        await view.getByRole('button', { name: 'Get the Hugging Face model', exact: true }).click();
        await eventually(async () => assert.match(await status.innerText(), /^Getting does-not-exist:Q4_K_M did not finish \(cancelled or failed: see the notification\)\.$/), 60_000);
        const toast = workbench.errorNotification(/does-not-exist/);
        await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await toast.first().innerText(), /Could not download the model hf:promptscope\/does-not-exist:Q4_K_M: https:\/\/huggingface\.co cannot be reached \(E[A-Z]+/);
        await workbench.screenshot('playground-model--hf-offline');
        assert.equal(await hf.inputValue(), 'hf:promptscope/does-not-exist:Q4_K_M', 'the URI stays for another try');
    }, { timeoutMs: 300_000 });
});
