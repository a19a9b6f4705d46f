// Model text that looks like HTML is shown as text in our webviews, and nothing in it runs: the playground's output
// (forced with a GBNF grammar) and the token probabilities panel (the text in the prompt and its tokens).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleMessage, Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import type { Workbench } from './support/Workbench';

/** If any of this ran, it would log the marker (and an inline handler blocked by the CSP would be reported). */
const payload = `<img src=x onerror=console.log('XSS-RAN')> </script><script>console.log('XSS-RAN')</script>`;
const grammar = `root ::= "${payload}"`;

/**
 * Listens for what running the payload would leave: console messages (from every frame, CSP reports included) and
 * `securitypolicyviolation` events in the webview's own document.
 */
async function watchForScripts(workbench: Workbench, frame: Frame) {
    const console: string[] = [];
    const onConsole = (m: ConsoleMessage) => console.push(`${m.type()}: ${m.text()}`);
    workbench.page.on('console', onConsole);
    await frame.evaluate(() => {
        const w = window as unknown as { __violations?: string[] };
        if (w.__violations) return;
        w.__violations = [];
        document.addEventListener('securitypolicyviolation', e => w.__violations!.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    });
    const scriptsBefore = await frame.evaluate(() => document.scripts.length);
    return {
        console,
        scriptsBefore,
        violations: () => frame.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
        stop: () => workbench.page.off('console', onConsole),
    };
}

/** The page shows the payload as text: no element came out of it, and nothing ran or was blocked. */
async function assertInert(frame: Frame, watch: Awaited<ReturnType<typeof watchForScripts>>): Promise<void> {
    assert.equal(await frame.locator('img').count(), 0, 'no img element in the webview');
    assert.equal(await frame.evaluate(() => document.scripts.length), watch.scriptsBefore, 'no script element was added (only the page\'s own)');
    assert.equal(await frame.evaluate(() => [...document.scripts].filter(s => s.textContent?.includes('XSS-RAN')).length), 0);
    assert.deepEqual(await frame.evaluate(() => document.querySelectorAll('[onerror]').length), 0);
    assert.deepEqual(await watch.violations(), [], 'no CSP violation in the webview');
    assert.deepEqual(watch.console.filter(m => /XSS-RAN|Content Security Policy|Refused to/.test(m)), [], 'nothing ran and nothing was blocked');
}

/**
 * The listeners above can see an injected handler: an img with an inline onerror added by the test itself is
 * blocked by the CSP and reported, so their silence in assertInert means something.
 */
async function assertListenersWork(frame: Frame, watch: Awaited<ReturnType<typeof watchForScripts>>): Promise<void> {
    await frame.evaluate(() => {
        const probe = document.createElement('div');
        probe.id = 'xss-probe';
        probe.innerHTML = `<img src="x" onerror="console.log('XSS-CONTROL')">`;
        document.body.append(probe);
    });
    await eventually(async () => assert.ok((await watch.violations()).length > 0, 'the CSP reports the injected inline handler'), 10_000);
    assert.ok(!watch.console.some(m => m.includes('XSS-CONTROL') && m.startsWith('log')), 'the injected handler did not run');
    await frame.evaluate(() => document.getElementById('xss-probe')?.remove());
}

e2eSuite('xss', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('playground: model output with <img onerror> and </script> (forced by a GBNF grammar) is shown as text; nothing runs', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const watch = await watchForScripts(workbench, view);
        try {
            await view.getByLabel('User message').fill('Say something.');
            await view.getByLabel('Max tokens').fill('400');
            await view.locator('#constraint-grammar').check();
            await view.locator('textarea#grammar').fill(grammar);
            await view.getByRole('button', { name: 'Run', exact: true }).click();
            const output = view.getByLabel('Output', { exact: true });
            await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);
            // Exactly the text, shown as text.
            assert.equal(await output.innerText(), payload);
            assert.equal(await output.evaluate(el => el.children.length), 0, 'the output holds text only');
            await assertInert(view, watch);
            await output.scrollIntoViewIfNeeded();
            await workbench.screenshot('xss--playground-output');
            await assertListenersWork(view, watch);
        } finally {
            watch.stop();
        }
    });

    scenario('token probabilities: prompt tokens with <img onerror> and </script> are shown as text; nothing runs', async ({ server, workbench }) => {
        writeFileSync(join(server.workspace, 'xss.prompt'), `---\nconfig:\n  maxOutputTokens: 16\n---\n{{role "user"}}\nRepeat after me: ${payload}\n`);
        await workbench.openFile('xss.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        const panel = await workbench.webviewFrame('.tokens[role="listbox"]');
        const watch = await watchForScripts(workbench, panel);
        try {
            await eventually(async () => assert.ok(await panel.locator('.tokens .token.generated').count() > 0), 120_000);
            const tokens = (await panel.locator('.tokens .token.prompt').allTextContents()).join('');
            assert.ok(tokens.includes(payload), `the prompt's tokens spell the payload: ${tokens}`);
            // Each chip holds text only.
            assert.equal(await panel.locator('.tokens .token *').count(), 0, 'token chips hold text only');
            // The details of a token inside the payload show it as text too.
            const lt = panel.locator('.tokens .token.prompt', { hasText: '<' }).first();
            await lt.hover();
            await eventually(async () => assert.match(await panel.locator('section.details h2').innerText(), /prompt token/), 10_000);
            await assertInert(panel, watch);
            await workbench.screenshot('xss--token-probabilities');
            await assertListenersWork(panel, watch);
        } finally {
            watch.stop();
        }
    });
});
