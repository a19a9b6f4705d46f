// The Reasoning Trace panel on the fixture model in a real workbench: Run Prompt of a tree-of-thought prompt named
// `<img src=x onerror=alert(1)>` whose logit bias and repeat penalty make every thought `</script>` opens the panel
// beside the output: the search with its thoughts and their values is a tree under the strict CSP, markup in the model's
// text and the file name stays text and nothing runs, and the tree is walked with the keyboard (Down along the shown
// nodes, Left to the parent and then closing it, Right opening it again, End) with one tab stop and the focused node's
// text shown below.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { assertInert, assertStrictCsp, watchForScripts } from './support/webviewSafety';

const title = '<img src=x onerror=alert(1)>';
/** Sampling under these biases and a repeat penalty of 100 takes each of these byte tokens once, in order (id = 3 + byte). */
const forced = '</script>';

function promptText(): string {
    // Far apart, so that sampling at the thoughts' temperature (0.7) still takes them in order.
    const bias = [...forced].map((ch, i) => `    ${3 + ch.charCodeAt(0)}: ${200 - 20 * i}`).join('\n');
    return `---\nconfig:\n  maxOutputTokens: ${forced.length}\n  repeatPenalty: 100\n  repeatLastTokens: 64\n  logitBias:\n${bias}\n`
        + 'promptscope.strategy: tree-of-thought\npromptscope.tot:\n  thoughts: 2\n  beamWidth: 1\n  maxDepth: 2\n---\nWhat is 12 + 30?\n';
}

/** The data-id of the focused trace node, else the focused element's tag. */
function focusedId(panel: Frame): Promise<string> {
    return panel.evaluate(() => {
        const node = document.activeElement as HTMLElement | null;
        return node?.dataset.id ?? node?.tagName.toLowerCase() ?? 'none';
    });
}

e2eSuite('reasoning trace', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel(), 'promptscope.history.enabled': false } }) }, scenario => {
    scenario('Run Prompt of a tree-of-thought prompt: the trace panel\'s tree by keyboard; markup in thoughts and the file name is text', async ({ workbench, server }) => {
        const file = `${title}.prompt`;
        writeFileSync(join(server.workspace, file), promptText());
        await workbench.openFile(file);
        await workbench.runCommand('Promptscope: Run Prompt');
        const panel = await workbench.webviewFrame('.trace-tree', 180_000);
        await assertStrictCsp(panel);
        const watch = await watchForScripts(workbench, panel);
        try {
            await eventually(async () => assert.match(await panel.locator('.status').innerText(), /^Done: answer /), 60_000);
            assert.equal(await panel.locator('h1').innerText(), `Reasoning trace — ${file}`);
            const items = panel.locator('[role="treeitem"]');
            // The search, its step-1 thoughts, the kept one's step-2 thoughts, and the answer turn (no thought says "answer").
            assert.ok(await items.count() >= 3, `only ${await items.count()} nodes`);
            assert.equal(await panel.locator('[role="treeitem"][tabindex="0"]').count(), 1, 'one tab stop for the tree');
            const thoughts = panel.locator('.trace-node.thought > .trace-row .trace-title');
            assert.ok(await thoughts.count() >= 2);
            for (const text of await thoughts.allInnerTexts()) assert.match(text, /^<\/script>.* \(\d\.\d{3}\)$/s, `thought ${JSON.stringify(text)}`);
            await assertInert(panel, watch);

            const root = panel.locator('[role="treeitem"][data-id="0"]');
            await root.focus();
            await eventually(async () => assert.equal(await focusedId(panel), '0'), 5_000);
            await workbench.page.keyboard.press('ArrowDown');
            await eventually(async () => assert.equal(await focusedId(panel), '0.0'), 5_000);
            assert.notEqual(await panel.locator('[data-id="0.0"] > .trace-row').evaluate(el => getComputedStyle(el).outlineStyle), 'none', 'the focus is visible');
            assert.match(await panel.locator('.trace-details').innerText(), /^thought; (on the best path|kept|pruned); value \d\.\d{3}\n+<\/script>/);
            // Left on an open node closes it first (the kept thought holds the next step's), then goes to the parent.
            const first = panel.locator('[role="treeitem"][data-id="0.0"]');
            if (await first.getAttribute('aria-expanded') === 'true') {
                await workbench.page.keyboard.press('ArrowLeft');
                await eventually(async () => assert.equal(await first.getAttribute('aria-expanded'), 'false'), 5_000);
                await eventually(async () => assert.equal(await focusedId(panel), '0.0', 'the focus stays on the closed node'), 5_000);
            }
            await workbench.page.keyboard.press('ArrowLeft');
            await eventually(async () => assert.equal(await focusedId(panel), '0'), 5_000);
            const shown = await items.count();
            await workbench.page.keyboard.press('ArrowLeft');
            await eventually(async () => assert.equal(await root.getAttribute('aria-expanded'), 'false'), 5_000);
            assert.equal(await items.count(), 1, 'a closed search hides its thoughts');
            await eventually(async () => assert.equal(await focusedId(panel), '0', 'the focus stays on the search'), 5_000);
            await workbench.page.keyboard.press('ArrowRight');
            await eventually(async () => assert.equal(await items.count(), shown), 5_000);
            await workbench.page.keyboard.press('End');
            const last = await items.last().getAttribute('data-id');
            await eventually(async () => assert.equal(await focusedId(panel), last), 5_000);
            await workbench.screenshot('reasoning-trace--tree');
            await assertInert(panel, watch);
        } finally {
            watch.stop();
        }
    });
});
