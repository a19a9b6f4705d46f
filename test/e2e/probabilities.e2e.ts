// The token probabilities panel on hello.prompt with the fixture model: tokens, and a token's alternatives; the
// keyboard between tokens; the view (pinned token, metric, branches) kept while hidden and restored after a reload.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import type { Workbench } from './support/Workbench';

/** The panel of an earlier scenario as it is, else hello.prompt's, computed. */
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

/** The index of the token with the focus, else the focused element's tag and text. */
function focused(panel: Frame): Promise<string> {
    return panel.evaluate(() => {
        const node = document.activeElement as HTMLElement | null;
        if (node === null || node === document.body) return 'body';
        return node.dataset.index ?? `${node.tagName.toLowerCase()} ${node.textContent ?? ''}`.trim();
    });
}

e2eSuite('token probabilities', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('Show Token Probabilities on hello.prompt shows its tokens; hovering or focusing one shows alternatives with probabilities', async ({ workbench }) => {
        await workbench.openFile('hello.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        const panel = await workbench.webviewFrame('.tokens[role="listbox"]');
        await eventually(async () => assert.match(await panel.locator('h1').innerText(), /Token probabilities — hello\.prompt/), 30_000);

        // The prompt's tokens and the generated ones, split by the boundary mark.
        const generated = panel.locator('.tokens .token.generated');
        await eventually(async () => assert.ok(await generated.count() > 0, 'generated tokens are shown'), 120_000);
        const promptTokens = await panel.locator('.tokens .token.prompt').allTextContents();
        assert.match(promptTokens.join(''), /Explain why the sky is blue to a curious ten-year-old/);
        assert.equal(await panel.locator('.tokens .boundary').count(), 1);
        const facts = await panel.locator('header dl.facts').innerText();
        assert.match(facts, /Model\s+Promptscope fixture tiny/);
        assert.match(facts, new RegExp(`Tokens\\s+${promptTokens.length} prompt \\+ ${await generated.count()} generated`));
        assert.match(facts, /Precision\s+exact/);

        // Hover a generated token: the details show it and its top alternatives, each with a probability bar.
        const hovered = generated.nth(1);
        const index = Number(await hovered.getAttribute('data-index'));
        await hovered.hover();
        const details = panel.locator('section.details');
        await eventually(async () => assert.match(await details.locator('h2').innerText(), new RegExp(`^#${index} generated token`)), 10_000);
        assert.match(await details.locator('dl.facts').innerText(), /Probability\s+(\d+(\.\d+)?%|<0\.001%)/);
        const rows = details.locator('.chart li');
        assert.ok(await rows.count() >= 2, 'several alternatives are listed');
        for (const prob of await details.locator('.chart li .prob').allInnerTexts()) assert.match(prob, /^(\d+(\.\d+)?%|<0\.001%)$/);
        assert.ok(await details.locator('.chart li.actual').count() >= 1, 'the token itself is marked among the alternatives');
        assert.match(await details.locator('.chart-box h3').first().innerText(), /raw model/i);
        await workbench.screenshot('token-probabilities--hover');

        // The keyboard: focus the token, ArrowRight moves to the next one and shows its alternatives.
        await hovered.focus();
        await hovered.press('ArrowRight');
        await eventually(async () => assert.match(await details.locator('h2').innerText(), new RegExp(`^#${index + 1} generated token`)), 10_000);
        assert.ok(await details.locator('.chart li .prob').count() >= 2);
    });

    scenario('keyboard: Home, End and arrows move between tokens; Enter pins one (the focus stays), Escape unpins; the metric switch keeps the focus', async ({ workbench }) => {
        const panel = await helloProbabilities(workbench);
        const keys = workbench.page.keyboard;
        const chips = panel.locator('.tokens .token');
        const n = await chips.count();
        const heading = panel.locator('section.details h2');
        assert.equal(await panel.locator('.tokens .token[tabindex="0"]').count(), 1, 'one tab stop for the whole token list');

        await chips.nth(2).click();
        await eventually(async () => assert.equal(await chips.nth(2).getAttribute('aria-selected'), 'true'), 10_000);
        await keys.press('Escape');
        await eventually(async () => assert.equal(await panel.locator('.tokens .token[aria-selected="true"]').count(), 0), 10_000);
        await workbench.page.mouse.move(0, 0);
        await keys.press('End');
        assert.equal(await focused(panel), String(n - 1));
        await eventually(async () => assert.match(await heading.innerText(), new RegExp(`^#${n - 1} generated token`)), 10_000);
        await keys.press('Home');
        assert.equal(await focused(panel), '0');
        await keys.press('ArrowDown');
        await keys.press('ArrowRight');
        assert.equal(await focused(panel), '2');
        await keys.press('ArrowLeft');
        assert.equal(await focused(panel), '1');
        await keys.press('Enter');
        await eventually(async () => assert.match(await heading.innerText(), /^#1 prompt token .*\(pinned, Esc to unpin\)$/), 10_000);
        assert.equal(await chips.nth(1).getAttribute('aria-selected'), 'true');
        assert.equal(await focused(panel), '1', 'the focus stays on the pinned token');
        await keys.press('ArrowRight');
        assert.equal(await focused(panel), '2');
        await keys.press('Escape');
        await eventually(async () => assert.equal(await chips.nth(1).getAttribute('aria-selected'), 'false'), 10_000);

        // The metric switch rebuilds the header and the tokens: the focus stays on the switch.
        const surprisal = panel.getByRole('radio', { name: 'Surprisal' });
        await surprisal.focus();
        await keys.press('Enter');
        await eventually(async () => assert.equal(await panel.getByRole('radio', { name: 'Surprisal' }).getAttribute('aria-checked'), 'true'), 10_000);
        assert.equal(await focused(panel), 'button Surprisal');
        await keys.press('Tab');
        assert.equal(await focused(panel), 'button Entropy');
        await keys.press('Enter');
        await eventually(async () => assert.equal(await panel.getByRole('radio', { name: 'Entropy' }).getAttribute('aria-checked'), 'true'), 10_000);
        await panel.getByRole('radio', { name: 'Probability' }).click();
    });

    scenario('the view survives being hidden and a window reload (serializer): pinned token, metric and a branch kept, nothing recomputed', async ({ workbench }) => {
        let panel = await helloProbabilities(workbench);
        const generated = panel.locator('.tokens .token.generated');
        const target = generated.nth(2);
        const index = Number(await target.getAttribute('data-index'));
        if (await target.getAttribute('aria-selected') !== 'true') await target.click();
        await panel.getByRole('radio', { name: 'Entropy' }).click();
        // A branch from the pinned token's first alternative: a recompute would drop it.
        await panel.locator('section.details .chart li button.branch:not([disabled])').first().click();
        await eventually(async () => assert.match(await panel.locator('.branch-card .branch-status').first().innerText(), /done/), 60_000);
        const branch = await panel.locator('.branch-card').first().innerText();
        const facts = await panel.locator('header dl.facts').innerText();
        const expectKept = async (frame: Frame, when: string) => {
            await eventually(async () => {
                assert.match(await frame.locator('h1').innerText(), /Token probabilities — hello\.prompt/, when);
                assert.equal(await frame.locator(`.tokens .token[data-index="${index}"]`).getAttribute('aria-selected'), 'true', `${when}: the pinned token`);
                assert.match(await frame.locator('section.details h2').innerText(), new RegExp(`^#${index} generated token .*\\(pinned`), `${when}: its details`);
                assert.equal(await frame.getByRole('radio', { name: 'Entropy' }).getAttribute('aria-checked'), 'true', `${when}: the metric`);
                assert.equal(await frame.locator('header dl.facts').innerText(), facts, when);
                assert.equal(await frame.locator('.branch-card').count(), 1, `${when}: the branch`);
                assert.equal(await frame.locator('.branch-card').first().innerText(), branch, `${when}: the branch`);
            }, 30_000);
        };
        await expectKept(panel, 'before');

        // Hidden behind another editor of its group: VS Code discards the page (no retainContextWhenHidden).
        await workbench.showTab('Probabilities: hello.prompt');
        await workbench.openFile('sentiment.prompt');
        await eventually(async () => assert.ok(panel.isDetached(), 'the hidden page is gone'), 15_000);
        await workbench.showTab('Probabilities: hello.prompt');
        panel = await workbench.webviewFrame('.tokens .token', 30_000);
        await expectKept(panel, 'shown again');

        // A window reload: a new extension host; the serializer restores the panel from the page's state.
        await workbench.reload();
        await workbench.showTab('Probabilities: hello.prompt', 60_000);
        panel = await workbench.webviewFrame('.tokens .token', 60_000);
        await expectKept(panel, 'after a reload');
        assert.match(await panel.locator('.status').innerText(), /^Hover or focus a token/);
        await workbench.screenshot('token-probabilities--restored');
    }, { timeoutMs: 180_000 });
});
