// The playground's Show probabilities / Show attention on the fixture model: disabled until a run finished, then,
// from the keyboard, each opens its panel for exactly that run (its prompt and its generated tokens). The run itself
// is set up from the keyboard too (a checkbox, the preset select and the constraint radios, Ctrl+Enter to run).
import assert from 'node:assert/strict';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { valueOf } from './support/vscodeElements';

e2eSuite('playground inspect', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('after a run, Show probabilities and Show attention (keyboard) open panels for that run', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const showProbabilities = view.getByRole('button', { name: 'Show probabilities', exact: true });
        const showAttention = view.getByRole('button', { name: 'Show attention', exact: true });
        await showProbabilities.waitFor({ state: 'visible', timeout: 30_000 });
        assert.equal(await showProbabilities.isDisabled(), true, 'nothing to inspect before a run');
        assert.equal(await showAttention.isDisabled(), true);

        // The @vscode-elements checkbox from the keyboard: Space toggles it (and back).
        const raw = view.getByRole('checkbox', { name: /Raw completion/ });
        await view.locator('#raw').focus();
        await view.locator('#raw').press('Space');
        await eventually(async () => assert.equal(await raw.isChecked(), true), 5_000);
        await view.locator('#raw').press('Space');
        await eventually(async () => assert.equal(await raw.isChecked(), false), 5_000);

        // The preset select: Enter opens it, ArrowUp moves from Balanced to Greedy, Enter picks it.
        const preset = view.locator('#preset');
        await preset.focus();
        await preset.press('Enter');
        await preset.press('ArrowUp');
        await preset.press('Enter');
        await eventually(async () => assert.equal(await valueOf(preset), 'greedy'), 5_000);
        assert.equal(await view.getByLabel('Temperature').inputValue(), '0', 'the preset fills the fields');
        // The constraint radios: arrows move the choice (and show its editor), and back.
        await view.locator('#constraint-none').focus();
        await view.locator('#constraint-none').press('ArrowDown');
        await eventually(async () => assert.equal(await view.locator('#jsonSchema').isVisible(), true), 5_000);
        assert.equal(await view.locator('#constraint-jsonSchema').evaluate(node => (node as HTMLElement & { checked: boolean }).checked), true);
        await view.locator('#constraint-jsonSchema').press('ArrowUp');
        await eventually(async () => assert.equal(await view.locator('#jsonSchema').isVisible(), false), 5_000);

        const user = view.getByLabel('User message');
        await user.fill('Hello there');
        await view.getByLabel('Max tokens').fill('6');
        // Ctrl+Enter runs the form from any field.
        await user.press('Control+Enter');
        await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);
        const facts = await view.locator('dl.facts').innerText();
        const generated = Number(/generated tokens\s+(\d+)/.exec(facts)?.[1]);
        const promptTokens = Number(/prompt tokens\s+(\d+)/.exec(facts)?.[1]);
        assert.ok(generated > 0, facts);
        await eventually(async () => assert.equal(await showProbabilities.isEnabled(), true, 'enabled once the run is done'), 10_000);
        assert.match(await view.locator('#inspect-hint').innerText(), new RegExp(`${generated} generated token`));

        await showProbabilities.focus();
        await showProbabilities.press('Enter');
        const probabilities = await workbench.webviewFrame('.tokens[role="listbox"]');
        await eventually(async () => assert.match(await probabilities.locator('h1').innerText(), /^Token probabilities — playground run \d+$/), 30_000);
        // Exactly the run's tokens: its prompt (chat template included) and its generated ones.
        await eventually(async () => assert.equal(await probabilities.locator('.tokens .token.generated').count(), generated), 120_000);
        assert.equal(await probabilities.locator('.tokens .token.prompt').count(), promptTokens);
        // No .prompt file behind it, yet Recompute computes the same run again.
        const recompute = probabilities.getByRole('button', { name: 'Recompute', exact: true });
        await eventually(async () => assert.equal(await recompute.isEnabled(), true), 10_000);
        await recompute.click();
        await eventually(async () => assert.equal(await probabilities.locator('.tokens .token.generated').count(), generated), 60_000);
        await workbench.screenshot('playground-inspect--probabilities');

        // Back in the playground (the panel opened beside it): Show attention, from the keyboard too.
        const again = await workbench.webviewFrame('.playground');
        const attentionButton = again.getByRole('button', { name: 'Show attention', exact: true });
        await attentionButton.focus();
        await attentionButton.press('Enter');
        const attention = await workbench.webviewFrame('.maps');
        await eventually(async () => assert.match(await attention.locator('h1').innerText(), /^Attention — playground run \d+$/), 30_000);
        // With the native addon: a map of the prompt followed by the output; without it, the panel says why.
        await eventually(async () => {
            const shown = await attention.locator('header dl.facts').innerText();
            const unavailable = await attention.getByRole('heading', { name: 'Attention capture unavailable' }).count();
            assert.ok(unavailable > 0 || new RegExp(`Tokens\\s+${promptTokens + generated}\\b`).test(shown), shown);
        }, 120_000);
        await workbench.screenshot('playground-inspect--attention');
    });
});
