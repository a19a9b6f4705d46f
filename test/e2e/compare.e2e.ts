// The playground's A/B compare on the fixture model: base model against the fixture LoRA, with one seed; the result
// kept while the view is hidden and restored after a window reload; the KL tokens of A from the keyboard; the compare
// page's strict CSP. The scenarios run in order on one workbench: the later ones look at the first one's result.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
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

    scenario('keyboard: the KL tokens of A are one tab stop; arrows, Home and End move, each token says its KL and both sides\' tokens', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground .compare-result .kl-token', 30_000);
        const keys = workbench.page.keyboard;
        const list = view.getByRole('listbox', { name: 'KL divergence per token of A' });
        const chips = list.getByRole('option');
        const readout = view.locator('.compare-result .kl-readout');
        const n = await chips.count();
        assert.ok(n >= 2, `tokens to move between: ${n}`);
        assert.equal(await list.locator('[tabindex="0"]').count(), 1, 'one tab stop for the whole list');
        assert.equal(await readout.getAttribute('aria-live'), 'off', 'the focused token\'s name says it; the result\'s live region does not say it again');
        assert.ok(await list.locator('.kl-token.diverges').count() > 0, 'the adapter\'s divergent positions are highlighted');

        // Tab from output B (the diff between them is no tab stop) enters the list at its tab stop.
        await view.getByLabel('Output B', { exact: true }).focus();
        await keys.press('Tab');
        assert.equal(await focused(view), '0');
        // The fixture LoRA boosts the first token: there the sides part, and both tokens are named.
        const first = await chips.nth(0).getAttribute('aria-label') ?? '';
        assert.match(first, /^#0 A “.*”, B “.*”: KL\(A‖B\) ≥ \d+\.\d{4} nats .*; B generated another token here$/s);
        await eventually(async () => assert.match(await readout.innerText(), /^#0 A “.*”, B “.*”: KL\(A‖B\) ≥ \d+\.\d{4} nats/s), 5_000);
        assert.ok(await chips.nth(0).evaluate(node => node.classList.contains('diverges') && node.classList.contains('first-divergence')), 'the focused token keeps its highlight');

        await keys.press('End');
        assert.equal(await focused(view), String(n - 1));
        await eventually(async () => assert.match(await readout.innerText(), new RegExp(`^#${n - 1} A `)), 5_000);
        await keys.press('Home');
        assert.equal(await focused(view), '0');
        await keys.press('ArrowRight');
        await keys.press('ArrowDown');
        const third = Math.min(2, n - 1);
        assert.equal(await focused(view), String(third));
        await keys.press('ArrowLeft');
        const stop = await focused(view);
        assert.equal(stop, String(third - 1));
        assert.match(await chips.nth(Number(stop)).getAttribute('aria-label') ?? '', new RegExp(`^#${stop} A “.*”, B (“.*”|none): KL\\(A‖B\\) ≥ `, 's'));
        assert.equal(await list.locator('[tabindex="0"]').count(), 1, 'still one tab stop');

        // Tab leaves the list in one press; Shift+Tab comes back to the token last visited.
        await keys.press('Tab');
        assert.equal(await view.evaluate(() => document.activeElement?.closest('.kl-tokens') === null), true, 'Tab leaves the list');
        await keys.press('Shift+Tab');
        assert.equal(await focused(view), stop);

        // The mouse says the same of the token under it.
        await chips.nth(1).hover();
        await eventually(async () => assert.match(await readout.innerText(), /^#1 A /), 5_000);
        await workbench.screenshot('compare--kl-keyboard');
    });

    scenario('the compare result (both texts, the diff, the KL per token) is restored after a window reload: the new host has it', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        let view = await workbench.webviewFrame('.playground .compare-result .compare-column', 30_000);
        const before = await compareSnapshot(view);
        assert.equal(before.columns.length, 2, 'a compare result to restore');
        assert.ok(before.kl.length > 0, 'KL tokens to restore');

        // A window reload: a new extension host, which has run nothing and loaded no model yet.
        await workbench.reload();
        await workbench.runCommand('Promptscope: Open Playground');
        view = await workbench.webviewFrame('.playground .compare-result .compare-column', 60_000);
        // The page may first show its own setState copy: wait for the new host's state (no run yet: no status line)
        // before judging, since that state is what used to take the result away.
        await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), '', 'the new host\'s first state has arrived'), 60_000);
        await eventually(async () => assert.deepEqual(await compareSnapshot(view), before), 15_000);
        await assertStrictCsp(view);
        await workbench.screenshot('compare--restored');
    }, { timeoutMs: 180_000 });
});

/** The index of the KL token with the focus, else the focused element's tag and text. */
function focused(view: Frame): Promise<string> {
    return view.evaluate(() => {
        const node = document.activeElement as HTMLElement | null;
        if (node === null || node === document.body) return 'body';
        return node.dataset.index ?? `${node.tagName.toLowerCase()} ${node.textContent ?? ''}`.trim();
    });
}

/** What the compare result shows: the columns' text, the diff's parts, each KL token (text, name, highlight, tint). */
function compareSnapshot(view: Frame) {
    return view.evaluate(() => {
        const result = document.querySelector('.compare-result')!;
        return {
            summary: result.querySelector(':scope > p.hint')?.textContent ?? '',
            columns: [...result.querySelectorAll('.compare-column')].map(column => column.textContent),
            diff: result.querySelector('.diff')?.innerHTML ?? '',
            kl: [...result.querySelectorAll<HTMLElement>('.kl-token')].map(chip =>
                [chip.textContent, chip.getAttribute('aria-label'), chip.className, chip.style.getPropertyValue('--kl')]),
        };
    });
}
