// The playground side view on the fixture model: a sampling field changed by hand, Run, then Stop.
import assert from 'node:assert/strict';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { valueOf } from './support/vscodeElements';

// A context of 8192 (the fixture model was trained on 2048; llama.cpp runs it longer) lets a run go on for 6000
// tokens, many seconds even on the fixture model, so Stop lands in the middle of it.
e2eSuite('playground', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel(), 'promptscope.contextSize': 8192 } }) }, scenario => {
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
        assert.equal(await valueOf(view.locator('#preset')), 'balanced');
        const temperature = view.getByLabel('Temperature');
        await temperature.fill('1.1');
        await temperature.press('Tab');
        assert.equal(await valueOf(view.locator('#preset')), 'custom');
        // Long enough to be stopped in the middle.
        await view.getByLabel('Max tokens').fill('6000');
        assert.equal(await view.locator('p.error:not(:empty)').count(), 0, 'the form is valid');

        // Stop as soon as the first text is in: the page itself watches for it and clicks Stop (a MutationObserver,
        // no round trips). Should a run end first (the tiny fixture writes 6000 tokens in about two seconds, and a
        // loaded machine may render all of it before a poll sees it running), Run is clicked again (at most 5 runs),
        // and that is said in the test's output.
        let stopped = false;
        for (let attempt = 1; attempt <= 5 && !stopped; attempt++) {
            await view.evaluate(() => {
                const seen = { started: false, running: false, ended: false };
                (window as unknown as { e2eRun: typeof seen }).e2eRun = seen;
                const observer = new MutationObserver(() => {
                    const status = document.querySelector('p.status')?.textContent;
                    if (status === 'Running…') seen.started = true;
                    // Running: the status says so, Run is disabled, and text has arrived.
                    const buttons = [...document.querySelectorAll('vscode-button')];
                    if (!seen.running && status === 'Running…' && (document.querySelector('pre.output')?.textContent ?? '').length > 0
                        && buttons.find(b => b.textContent === 'Run')?.hasAttribute('disabled') === true) {
                        seen.running = true;
                        // Stop from the page at once, as a user's click would: a round trip to the test would let a
                        // loaded machine finish the run first.
                        (buttons.find(b => b.textContent === 'Stop') as HTMLElement | undefined)?.click();
                    }
                    if (seen.started && (status === 'Done' || status === 'Stopped')) {
                        seen.ended = true;
                        observer.disconnect();
                    }
                });
                observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
            });
            await run.click();
            const seen = await view.waitForFunction(() => {
                const { running, ended } = (window as unknown as { e2eRun: { running: boolean; ended: boolean } }).e2eRun;
                return running || ended ? { running } : false;
            }, undefined, { timeout: 120_000, polling: 20 });
            if (!(await seen.jsonValue() as { running: boolean }).running) {
                console.log(`[playground] run ${attempt} ended before its text was seen running; running again`);
                continue;
            }
            const final = await eventually(async () => {
                const shown = (await status.innerText()).trim();
                assert.match(shown, /^(Stopped|Done)$/);
                return shown;
            }, 30_000);
            stopped = final === 'Stopped';
            if (!stopped) console.log(`[playground] run ${attempt} ended (${final}) before Stop took effect; running again`);
        }
        assert.ok(stopped, 'Stop stopped one of 5 runs');
        assert.equal(await run.isEnabled(), true, 'Run is enabled again');
        assert.equal(await stop.isDisabled(), true, 'Stop is disabled again');
        await output.scrollIntoViewIfNeeded();
        const text = await output.innerText();
        assert.ok(text.trim().length > 0, 'the text generated before Stop stays');
        // The facts under the output: the run stopped early, before its 6000 tokens.
        const facts = await view.locator('dl.facts').innerText();
        const generated = Number(/generated tokens\s+(\d+)/.exec(facts)?.[1]);
        assert.ok(generated > 0 && generated < 6000, `generated tokens: ${facts}`);
        assert.match(facts, /stop\s+aborted/);
        assert.match(facts, /speed\s+\d+(\.\d+)? tokens\/s/);
        // Nothing more arrives after Stop.
        await workbench.page.waitForTimeout(1_000);
        assert.equal(await output.innerText(), text);
    });
});
