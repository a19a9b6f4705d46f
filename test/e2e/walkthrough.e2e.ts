// The getting-started walkthrough (package.json contributes.walkthroughs): opened as a newcomer opens it, its steps
// and pages rendered, and each step's button doing what it says, on the fixture model.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { extensionFolder } from './support/paths';
import { e2eSuite, manifestCommands } from './support/session';
import { Walkthrough, manifestWalkthroughs, stepButtons } from './support/Walkthrough';
import type { Workbench } from './support/Workbench';
import type { Locator } from 'playwright-core';

const manifest = manifestWalkthroughs().find(w => w.id === 'gettingStarted');

/** Built-in commands a step's button may run; any other command must be one the extension contributes. */
const workbenchCommands = ['workbench.action.quickOpen'];

/**
 * Clicks a walkthrough button until what it opens shows, at most 3 times. A quick input that a walkthrough button opens
 * closes again when the focus moves under it, and the Get Started page moves it on its own (after expanding a step,
 * after splitting the editor area for a `toSide` button, while a step's page loads; VS Code's own "Quick Open" step
 * behaves the same), and the extension host learns which editor is active a moment after a click: on a busy machine a
 * click can land in between. A person clicks again; so does this, and logs it.
 */
async function clickUntilShown(what: string, click: () => Promise<void>, shown: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        await click();
        if (await shown().then(() => true, () => false)) return;
        assert.ok(attempt < 3, `${what} after one of 3 clicks`);
        console.log(`[walkthrough] click ${attempt}: no ${what} yet; clicking again`);
    }
}

/**
 * Clicks a step's button until the quick pick it opens shows `row`, then picks that row: the quick pick can close
 * between the two (the focus moved under it), and then the button is clicked again, as a person would.
 */
async function pickThrough(what: string, click: () => Promise<void>, row: Locator): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        await click();
        const picked = await row.waitFor({ state: 'visible', timeout: 10_000 }).then(() => row.click({ timeout: 5_000 })).then(() => true, () => false);
        if (picked) return;
        assert.ok(attempt < 3, `${what} after one of 3 clicks`);
        console.log(`[walkthrough] click ${attempt}: ${what} closed before its row was picked; clicking again`);
    }
}

/** Clicks into the text of an open prompt's editor, as a user does before running a command on it. */
async function focusPrompt(workbench: Workbench, name: string): Promise<void> {
    await workbench.page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first().click();
    await workbench.editorOf(`/${name}`).locator('.view-lines').first().click();
}

e2eSuite('walkthrough', {}, scenario => {
    let walkthrough: Walkthrough;

    scenario('package.json: the getting-started steps each have a page and buttons for commands that exist', async () => {
        assert.ok(manifest, 'package.json contributes the walkthrough gettingStarted');
        assert.deepEqual(manifest.steps.map(s => s.id), ['loadModel', 'runPrompt', 'tokenProbabilities', 'selfConsistency']);
        const contributed = new Set(manifestCommands().map(c => c.command));
        for (const step of manifest.steps) {
            assert.ok(step.media.markdown && existsSync(join(extensionFolder, step.media.markdown)), `step ${step.id}: its page ${step.media.markdown} exists`);
            const buttons = stepButtons(step);
            assert.ok(buttons.length > 0, `step ${step.id} has a button`);
            for (const { href } of buttons) {
                const command = /^command:(?:toSide:)?([\w.]+)/.exec(href)?.[1];
                assert.ok(command && (contributed.has(command) || workbenchCommands.includes(command)), `step ${step.id}: ${href} runs a command that exists`);
            }
            for (const event of step.completionEvents ?? []) {
                assert.ok(contributed.has(event.replace(/^onCommand:/, '')), `step ${step.id}: completion event ${event} names a contributed command`);
            }
        }
    });

    scenario('Welcome: Open Walkthrough… opens it: its four steps in order, each with its page and its buttons', async ({ workbench }) => {
        walkthrough = new Walkthrough(workbench, manifest!.title);
        await walkthrough.open();
        assert.deepEqual(await walkthrough.stepTitles(), manifest!.steps.map(s => s.title));
        for (const step of manifest!.steps) {
            assert.deepEqual(await walkthrough.buttonLabels(step.title), stepButtons(step).map(b => b.label), `the buttons of "${step.title}"`);
            // The step's markdown page renders beside the steps (in a webview); its heading is the step's title.
            await workbench.webviewFrame(`h1:text-is("${step.title}")`, 30_000);
            assert.equal(await walkthrough.isDone(step.title), false, `"${step.title}" is not done before its button ran`);
        }
    });

    scenario('Load a model: the button opens the model picker; the fixture model loads and the step is done', async ({ workbench }) => {
        const browse = workbench.quickPickRows().filter({ hasText: /Browse for GGUF/ }).first();
        await pickThrough('model picker', () => walkthrough.clickButton('Load a model', 'Load Model…'), browse);
        await workbench.answerFileDialog(await fixtureModel());
        await eventually(async () => {
            const shown = await workbench.statusBarItem('promptscope.status').innerText();
            assert.doesNotMatch(shown, /No model|Loading/);
            assert.match(shown, /·\s*cpu/);
        }, 120_000);
        await eventually(async () => assert.ok(await walkthrough.isDone('Load a model'), 'the step is ticked'));
    }, { timeoutMs: 180_000 });

    scenario('Run a prompt: one button opens arithmetic.prompt beside the walkthrough, the other runs it', async ({ workbench }) => {
        // Quick Open, filled in with the example's name, for a new group beside the walkthrough.
        const row = workbench.quickPickRows().filter({ hasText: 'arithmetic.prompt' }).first();
        await pickThrough('Quick Open with arithmetic.prompt', () => walkthrough.clickButton('Run a prompt', 'Open arithmetic.prompt'), row);
        await workbench.editorOf('/arithmetic.prompt').waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await workbench.editorText(workbench.editorOf('/arithmetic.prompt')), /promptscope\.strategy: cot/);

        await walkthrough.show();
        await walkthrough.clickButton('Run a prompt', 'Run Prompt');
        // Runs the prompt shown beside (not an error asking for a .prompt file): its output document opens with its header.
        await eventually(async () => {
            const text = await workbench.editorText(workbench.editorOf('/arithmetic.prompt.output'));
            assert.match(text, /^Run of arithmetic\.prompt/m);
            assert.match(text, /^Tokens:\s+\d+ prompt \+ [1-9]\d* generated/m);
        }, 180_000);
        assert.equal(await workbench.errorNotification(/open a \.prompt file/).count(), 0);
        await walkthrough.show();
        await eventually(async () => assert.ok(await walkthrough.isDone('Run a prompt'), 'the step is ticked'));
    }, { timeoutMs: 300_000 });

    scenario('Open token probabilities: the button shows the panel for the prompt clicked into beside the walkthrough', async ({ workbench }) => {
        // As the step says: click into the prompt (the run's output document was the last editor focused), then the button.
        await clickUntilShown('token probabilities panel', async () => {
            await workbench.clearNotifications();
            await focusPrompt(workbench, 'arithmetic.prompt');
            await walkthrough.show();
            await walkthrough.clickButton('Open token probabilities', 'Show Token Probabilities');
        }, () => workbench.page.locator('.tabs-container .tab').filter({ hasText: /probabilities/i }).first().waitFor({ state: 'visible', timeout: 20_000 }));
        const panel = await workbench.webviewFrame('.tokens[role="listbox"] .token', 120_000);
        assert.ok(await panel.locator('.tokens .token').count() > 0, 'the panel lists tokens');
        await workbench.page.locator('.tabs-container .tab').filter({ hasText: 'arithmetic.prompt' }).filter({ hasNotText: '.output' }).first()
            .waitFor({ state: 'visible', timeout: 10_000 });
        assert.equal(await workbench.errorNotification(/open a \.prompt file/).count(), 0);
        await walkthrough.show();
        await eventually(async () => assert.ok(await walkthrough.isDone('Open token probabilities'), 'the step is ticked'));
    }, { timeoutMs: 180_000 });

    scenario('Try self-consistency: the button evaluates arithmetic.prompt on a dataset with the strategy picked', async ({ server, workbench }) => {
        await clickUntilShown('dataset dialog', async () => {
            await workbench.clearNotifications();
            await focusPrompt(workbench, 'arithmetic.prompt');
            await walkthrough.show();
            await walkthrough.clickButton('Try self-consistency', 'Evaluate Prompt on Dataset…');
        }, () => workbench.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Dataset to evaluate' }).waitFor({ state: 'visible', timeout: 10_000 }));
        await workbench.answerFileDialog(join(server.workspace, 'data', 'arithmetic.jsonl'));
        await eventually(async () => assert.match(await workbench.quickInputPrompt(), /Evaluate arithmetic\.prompt on arithmetic\.jsonl/));
        await workbench.pickQuickPickRow(/^self-consistency/);
        await workbench.page.locator('.tabs-container .tab').filter({ hasText: 'Evaluation: arithmetic.prompt on arithmetic.jsonl' }).first()
            .waitFor({ state: 'visible', timeout: 180_000 });
        // The results page says which strategy ran: the one picked, with the prompt's promptscope.samples.
        // The evaluation page's facts, not the probabilities panel's (both pages have a dl.facts): only it says the strategy.
        const results = await workbench.webviewFrame('dl.facts dt:text-is("Strategy")', 60_000);
        await eventually(async () => assert.match(await results.locator('dl.facts').innerText(), /Strategy\s+self-consistency \(5 paths\)/));
        await walkthrough.show();
        await eventually(async () => assert.ok(await walkthrough.isDone('Try self-consistency'), 'the step is ticked'));
    }, { timeoutMs: 300_000 });
});
