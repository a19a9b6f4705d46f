// The token probabilities panel on hello.prompt with the fixture model: tokens, and a token's alternatives.
import assert from 'node:assert/strict';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';

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
});
