// The Decoding Lab on the fixture model in a real workbench: Open Decoding Lab on a .prompt shows greedy, beam and
// sample columns side by side, each token a chip coloured by probability; the prompt's logit bias and repeat penalty
// make greedy write `</script>` one byte token at a time, and the file is named `<img src=x onerror=alert(1)>`: both
// are text under the strict CSP and nothing runs. The beam column's tree is walked with the keyboard (Right to a
// child, Left to the parent, Down along a step, Enter opens the pruned extensions) with a visible focus and a readout;
// a bad setting is refused on its column, naming it; a column is added and removed; the tree is exported as JSON.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { chooseOption } from './support/vscodeElements';
import { assertInert, assertStrictCsp, watchForScripts } from './support/webviewSafety';

const title = '<img src=x onerror=alert(1)>';
/** Greedy under these biases and a repeat penalty of 100 takes each of these byte tokens once, in order (id = 3 + byte). */
const forced = '</script>';

function promptText(): string {
    const bias = [...forced].map((ch, i) => `    ${3 + ch.charCodeAt(0)}: ${100 - 8 * i}`).join('\n');
    return `---\nconfig:\n  maxOutputTokens: ${forced.length}\n  repeatPenalty: 100\n  repeatLastTokens: 64\n  logitBias:\n${bias}\n---\nOnce upon a time\n`;
}

/** The data-key of the focused tree node, else the focused element's tag. */
function focusedKey(panel: Frame): Promise<string> {
    return panel.evaluate(() => {
        const node = document.activeElement as HTMLElement | null;
        return node?.dataset.key ?? node?.tagName.toLowerCase() ?? 'none';
    });
}

e2eSuite('decoding lab', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('columns side by side; markup in model text and the file name is text; the beam tree by keyboard; settings refused by name; export', async ({ workbench, server }) => {
        const file = `${title}.prompt`;
        writeFileSync(join(server.workspace, file), promptText());
        await workbench.openFile(file);
        await workbench.runCommand('Promptscope: Open Decoding Lab');
        const panel = await workbench.webviewFrame('.columns', 120_000);
        await assertStrictCsp(panel);
        const watch = await watchForScripts(workbench, panel);
        try {
            await eventually(async () => assert.match(await panel.locator('p.status').innerText(), /^3 columns decoded\./), 120_000);
            assert.equal(await panel.locator('h1').innerText(), `Decoding Lab — ${file}`);
            const columns = panel.locator('article.column');
            assert.deepEqual(await columns.locator('h2').allInnerTexts(), ['Greedy', 'Beam k=4, α=1, 3 best', 'Sample T=0.7, top-k 40, top-p 0.9, min-p 0.05, repeat 1.1, seed 1']);

            // Greedy wrote </script>: one chip per byte token, text only, each coloured and labelled with its probability.
            const greedy = columns.nth(0);
            const chips = greedy.locator('.coloured-tokens .coloured-token');
            assert.equal(await chips.count(), forced.length);
            assert.equal((await greedy.locator('.coloured-tokens').innerText()).trim(), forced);
            assert.equal(await greedy.locator('.coloured-tokens').evaluate(el => [...el.children].every(c => c.children.length === 0)), true, 'each token holds text only');
            assert.match(await chips.first().getAttribute('aria-label') ?? '', /^#0 “<”: P (\d+(\.\d+)?%|<0\.001%), log P -\d+\.\d{4}$/);
            assert.match(await chips.first().evaluate(el => (el as HTMLElement).style.background), /^(rgba?|hsla?)\(/, 'coloured by the probabilities panel\'s scale');
            assert.match(await greedy.locator('dl.facts').innerText(), /log P\s+-\d+\.\d{4}\s+Perplexity\s+[\d.]+\s+Tokens\s+9/);
            await assertInert(panel, watch);

            // The beam column: three hypotheses with scores, and the tree.
            const beam = columns.nth(1);
            assert.equal(await beam.locator('section.sequence').count(), 3);
            assert.match(await beam.locator('section.sequence dl.facts').first().innerText(), /Score\s+-\d+\.\d{4}/);
            const root = beam.locator('.beam-node[data-key="root"]');
            assert.equal(await beam.locator('.beam-node[tabindex="0"]').count(), 1, 'one tab stop for the tree');
            await root.focus();
            await root.press('ArrowRight');
            await eventually(async () => assert.equal(await focusedKey(panel), '1:kept:0'), 5_000);
            assert.notEqual(await beam.locator('.beam-node[data-key="1:kept:0"]').evaluate(el => getComputedStyle(el).outlineStyle), 'none', 'the focus is visible');
            await workbench.page.keyboard.press('ArrowDown');
            await eventually(async () => assert.equal(await focusedKey(panel), '1:kept:1'), 5_000);
            assert.match(await beam.locator('.beam-details').innerText(), /^Step 1, kept beam 2: “.*” from the prompt; token P .*, log P -\d+\.\d{4}, score -\d+\.\d{4}/);
            await workbench.page.keyboard.press('ArrowRight');
            const child = await focusedKey(panel);
            assert.match(child, /^2:(kept|finished|pruned):\d+$|^1:kept:1$/);
            await workbench.page.keyboard.press('ArrowLeft');
            await eventually(async () => assert.match(await focusedKey(panel), /^(1:kept:1|root)$/), 5_000);
            // End of step 1 is its pruned toggle: Enter opens the pruned extensions of that step.
            await beam.locator('.beam-node[data-key="1:kept:0"]').focus();
            await workbench.page.keyboard.press('End');
            await eventually(async () => assert.equal(await focusedKey(panel), '1:toggle'), 5_000);
            const pruned = await beam.locator('.beam-node.pruned').count();
            await workbench.page.keyboard.press('Enter');
            await eventually(async () => assert.ok(await beam.locator('.beam-node.pruned').count() > pruned, 'pruned nodes shown'), 5_000);
            assert.equal(await beam.locator('.beam-node[data-key="1:toggle"]').getAttribute('aria-expanded'), 'true');
            await eventually(async () => assert.equal(await focusedKey(panel), '1:toggle', 'the focus stays on the toggle'), 5_000);
            await workbench.screenshot('decoding-lab--tree');

            // A bad setting is refused on its column, naming it; nothing else changes.
            const beams = panel.getByLabel('Column 2 Beams (k)');
            await beams.fill('0');
            await beams.press('Enter');
            await eventually(async () => assert.equal(await beam.locator('p.error').innerText(), 'beams must be a whole number from 1 to 32, got 0.'), 10_000);
            assert.equal(await beams.getAttribute('aria-invalid'), 'true');

            // A refused max tokens is said in the header, naming the setting.
            await panel.locator('#max-tokens').fill('500');
            await panel.locator('#apply-max-tokens').click();
            await eventually(async () => assert.equal(await panel.locator('#header-error').innerText(), 'maxTokens must be a whole number from 1 to 128, got 500.'), 10_000);

            // Add a column, then remove it.
            await panel.locator('#add-method').selectOption('creative');
            await panel.locator('#add-column').click();
            await eventually(async () => assert.equal(await columns.count(), 4), 10_000);
            await eventually(async () => assert.match(await panel.locator('p.status').innerText(), /^4 columns decoded\./), 120_000);
            assert.match(await columns.nth(3).locator('h2').innerText(), /^Sample T=1\.1, top-k 100/);
            await panel.getByRole('button', { name: 'Remove column 4' }).click();
            await eventually(async () => assert.equal(await columns.count(), 3), 10_000);

            // Export the beam column: a save dialog beside the prompt, then the file holds the tree.
            await panel.getByRole('button', { name: 'Export column 2 as JSON' }).click();
            const target = join(server.workspace, 'lab-tree.json');
            await workbench.answerFileDialog(target);
            await eventually(async () => assert.ok(existsSync(target)), 10_000);
            const exported = JSON.parse(readFileSync(target, 'utf8')) as { method: string; tree: { steps: { kept: unknown[]; pruned: unknown[] }[] } };
            assert.equal(exported.method, 'beam');
            assert.ok(exported.tree.steps.length >= 1 && exported.tree.steps.length <= forced.length);
            assert.ok(exported.tree.steps.every(s => s.kept.length > 0 || s.pruned.length > 0));
            await assertInert(panel, watch);
            await workbench.screenshot('decoding-lab--columns');
        } finally {
            watch.stop();
        }
    }, { timeoutMs: 300_000 });

    scenario('a window reload restores the lab from the page\'s state (serializer), nothing recomputed; Decode all again decodes anew', async ({ workbench }) => {
        await workbench.reloadAfterStateSaved();
        await workbench.showTab(`Decoding Lab: ${title}.prompt`, 60_000);
        const panel = await workbench.webviewFrame('.columns', 60_000);
        const columns = panel.locator('article.column');
        // The page's last saved state: VS Code may have persisted it before the last column was removed (seen once).
        await eventually(async () => assert.ok(await columns.count() >= 3), 30_000);
        const count = await columns.count();
        assert.equal((await columns.nth(0).locator('.coloured-tokens').innerText()).trim(), forced);
        assert.match(await panel.locator('p.status').innerText(), new RegExp(`^${count} columns decoded\\.`));
        // Every status the page shows from here on, to see the decoding pass by.
        await panel.evaluate(() => {
            const status = document.querySelector('p.status')!;
            const seen: string[] = [];
            (window as unknown as { seen: string[] }).seen = seen;
            new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
        });
        await panel.locator('#recompute').click();
        await eventually(async () => {
            const seen = await panel.evaluate(() => (window as unknown as { seen: string[] }).seen);
            assert.ok(seen.some((text: string) => text.startsWith('Decoding: Beam k=4')), `statuses: ${seen.join(' | ')}`);
            assert.match(seen.at(-1) ?? '', new RegExp(`^${count} columns decoded\\.`));
        }, 120_000);
        assert.equal((await columns.nth(0).locator('.coloured-tokens').innerText()).trim(), forced);
        await workbench.screenshot('decoding-lab--restored');
    }, { timeoutMs: 240_000 });

    scenario('the playground\'s Decoding Lab button opens the lab on the last run, whose greedy column gives the greedy run\'s output', async ({ workbench }) => {
        await workbench.runCommand('View: Close All Editors');
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const run = view.getByRole('button', { name: 'Run', exact: true });
        await run.waitFor({ state: 'visible', timeout: 30_000 });
        const lab = view.getByRole('button', { name: 'Decoding Lab', exact: true });
        assert.equal(await lab.isDisabled(), true, 'nothing to decode before a run');
        await chooseOption(view.locator('#preset'), 'greedy');
        await view.getByLabel('User message').fill('Once upon a time');
        await view.getByLabel('Max tokens').fill('8');
        await run.click();
        await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);
        const output = await view.getByLabel('Output', { exact: true }).innerText();
        await eventually(async () => assert.equal(await lab.isDisabled(), false), 10_000);
        await lab.click();
        const panel = await workbench.webviewFrame('.columns', 120_000);
        await eventually(async () => assert.match(await panel.locator('p.status').innerText(), /^3 columns decoded\./), 120_000);
        assert.match(await panel.locator('h1').innerText(), /^Decoding Lab — playground run \d+$/);
        assert.equal(await panel.locator('#max-tokens').inputValue(), '8', 'the run\'s max tokens');
        const greedy = (await panel.locator('article.column').first().locator('.coloured-tokens').innerText()).replace(/\n/g, '');
        assert.ok(greedy.startsWith(output.replace(/\n/g, '↵').trimEnd().slice(0, 8)), `greedy ${JSON.stringify(greedy)} vs the run's ${JSON.stringify(output)}`);
        await workbench.screenshot('decoding-lab--playground');
    }, { timeoutMs: 300_000 });
});
