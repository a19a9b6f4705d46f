// The playground side view on the fixture model: a sampling field changed by hand, Run, then Stop.
import assert from 'node:assert/strict';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';

e2eSuite('playground', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('open the playground, change a sampling field, Run, then Stop: text appears and Run is enabled again', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const run = view.getByRole('button', { name: 'Run', exact: true });
        const stop = view.getByRole('button', { name: 'Stop', exact: true });
        const status = view.locator('p.status');
        const output = view.getByLabel('Output', { exact: true });
        await run.waitFor({ state: 'visible', timeout: 30_000 });
        assert.equal(await stop.isDisabled(), true, 'Stop is disabled while nothing runs');

        await view.getByLabel('User message').fill('Tell me a long story.');
        // The defaults are the "Balanced" preset; typing another temperature makes it "Custom".
        assert.equal(await view.locator('#preset').inputValue(), 'balanced');
        const temperature = view.getByLabel('Temperature');
        await temperature.fill('1.1');
        await temperature.press('Tab');
        assert.equal(await view.locator('#preset').inputValue(), 'custom');
        // Long enough (about 1900 tokens, seconds on the fixture model) to be stopped in the middle.
        await view.getByLabel('Max tokens').fill('1900');
        assert.equal(await view.locator('p.error:not(:empty)').count(), 0, 'the form is valid');

        await run.click();
        // Running: Run is disabled, Stop enabled, and text is streaming in.
        await eventually(async () => {
            assert.equal((await status.innerText()).trim(), 'Running…');
            assert.equal(await run.isDisabled(), true);
            assert.equal(await stop.isEnabled(), true);
            assert.ok((await output.innerText()).length > 0, 'text has arrived');
        }, 120_000, 100);
        await stop.click();

        await eventually(async () => assert.equal((await status.innerText()).trim(), 'Stopped'), 30_000);
        assert.equal(await run.isEnabled(), true, 'Run is enabled again');
        assert.equal(await stop.isDisabled(), true, 'Stop is disabled again');
        await output.scrollIntoViewIfNeeded();
        const text = await output.innerText();
        assert.ok(text.trim().length > 0, 'the text generated before Stop stays');
        // The facts under the output: the run stopped early, before its 1900 tokens.
        const facts = await view.locator('dl.facts').innerText();
        const generated = Number(/generated tokens\s+(\d+)/.exec(facts)?.[1]);
        assert.ok(generated > 0 && generated < 1900, `generated tokens: ${facts}`);
        assert.match(facts, /stop\s+aborted/);
        assert.match(facts, /speed\s+\d+(\.\d+)? tokens\/s/);
        // Nothing more arrives after Stop.
        await workbench.page.waitForTimeout(1_000);
        assert.equal(await output.innerText(), text);
    });
});
