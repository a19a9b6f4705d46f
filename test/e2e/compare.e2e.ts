// The playground's A/B compare on the fixture model: base model against the fixture LoRA, with one seed; the result
// kept while the view is hidden; the compare page's strict CSP.
import assert from 'node:assert/strict';
import { LORA_TEST_PROMPT } from '../../src/core/fixtures/writeFixtureLora';
import { fixtureLoraPath } from '../support/fixtures';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { chooseOption } from './support/vscodeElements';
import { assertStrictCsp } from './support/webviewSafety';

e2eSuite('compare', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('LoRA A/B compare: add the fixture adapter, Compare base against it: two columns, each with text', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        await view.getByRole('button', { name: 'Run', exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
        await view.getByLabel('User message').fill(LORA_TEST_PROMPT);
        const raw = view.getByRole('checkbox', { name: /Raw completion/ });
        // The component's label covers its native checkbox: click it as a user does (or press Space on it).
        if (!(await raw.isChecked())) await view.locator('#raw').click();
        assert.equal(await raw.isChecked(), true);

        // A short run first: it loads the model, which adapters are listed for.
        await view.getByLabel('Max tokens').fill('8');
        await view.getByRole('button', { name: 'Run', exact: true }).click();
        await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);

        // Add adapter…: the workbench's (simple, in-page) file dialog takes the fixture LoRA's path.
        const adapterPath = await fixtureLoraPath();
        await view.getByRole('button', { name: 'Add adapter…', exact: true }).click();
        await workbench.answerFileDialog(adapterPath, 30_000);
        await eventually(async () => assert.match(await view.locator('fieldset', { hasText: 'LoRA adapters' }).innerText(), /Added /), 60_000);

        // A: base model, B: the form's adapters.
        await chooseOption(view.locator('#compare-a-adapters'), 'none');
        await chooseOption(view.locator('#compare-b-adapters'), 'form');
        await view.getByRole('button', { name: 'Compare', exact: true }).click();
        const columns = view.locator('.compare-result .compare-column');
        await eventually(async () => assert.equal(await columns.count(), 2), 120_000);
        const a = (await view.getByLabel('Output A', { exact: true }).innerText()).trim();
        const b = (await view.getByLabel('Output B', { exact: true }).innerText()).trim();
        assert.ok(a.length > 0, 'A has text');
        assert.ok(b.length > 0, 'B has text');
        assert.notEqual(a, b, 'the adapter changes the output');
        assert.match(await columns.nth(1).locator('h4').innerText(), /^B: .*×1/);
        await view.locator('.compare-result').scrollIntoViewIfNeeded();
        await workbench.screenshot('compare--lora');
    });

    scenario('the compare result (both texts, the diff) is kept while the view is hidden: the page is recreated from the host\'s state', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        let view = await workbench.webviewFrame('.playground');
        await assertStrictCsp(view);
        const result = () => view.locator('.compare-result');
        // The result of the scenario above (this one keeps what it made).
        await eventually(async () => assert.equal(await result().locator('.compare-column').count(), 2, 'a compare result to keep'), 10_000);
        const shown = await result().innerText();
        const diff = await result().locator('.diff').innerHTML();

        // Another view container in the side bar: VS Code discards the hidden view's page (no retainContextWhenHidden).
        // (A click on the activity bar, as F1 does not reach the workbench while the view's page has the focus.)
        await workbench.page.locator('.activitybar .action-item a[aria-label^="Explorer"]').first().click();
        await eventually(async () => assert.ok(view.isDetached(), 'the hidden page is gone'), 15_000);
        await workbench.runCommand('Promptscope: Open Playground');
        view = await workbench.webviewFrame('.playground .compare-result .compare-column', 30_000);
        await eventually(async () => {
            assert.equal(await result().innerText(), shown);
            assert.equal(await result().locator('.diff').innerHTML(), diff, 'the same diff, parts and all');
        }, 15_000);
    });
});
