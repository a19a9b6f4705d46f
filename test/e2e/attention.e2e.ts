// The attention panel on hello.prompt with the fixture model: a heatmap canvas and its layer/head selectors; the
// keyboard between tokens (token view and heatmap); the view kept while hidden and restored after a window reload.
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import type { Workbench } from './support/Workbench';

/** Shows hello.prompt's attention (opening or reusing its panel) and waits for the capture to finish. */
async function showHelloAttention(workbench: Workbench): Promise<Frame> {
    // An earlier scenario's panel is used as it is: showing it again would recompute, and the old report's tokens
    // would be on screen until the new one replaces them.
    let panel = await workbench.webviewFrame('.maps', 1_000).catch(() => undefined);
    if (panel === undefined) {
        // The command needs a .prompt editor active: an earlier scenario may have left the focus in another group.
        await workbench.runCommand('View: Focus First Editor Group');
        await workbench.openFile('hello.prompt');
        await workbench.runCommand('Promptscope: Show Attention');
        panel = await workbench.webviewFrame('.maps');
    }
    await eventually(async () => {
        assert.equal(await panel.locator('.status.done').count(), 1, 'the capture is done');
        assert.ok(await panel.locator('.token-flow .token').count() > 0);
    }, 120_000);
    return panel;
}

/** What has the focus in the panel: a token's index, else the element's tag and accessible name. */
function focused(panel: Frame): Promise<string> {
    return panel.evaluate(() => {
        const node = document.activeElement as HTMLElement | null;
        if (node === null || node === document.body) return 'body';
        return node.dataset.index ?? `${node.tagName.toLowerCase()} ${node.getAttribute('aria-label') ?? ''}`.trim();
    });
}

e2eSuite('attention', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('Show Attention on hello.prompt shows a heatmap canvas with layer and head selectors', async ({ workbench }) => {
        await workbench.openFile('hello.prompt');
        await workbench.runCommand('Promptscope: Show Attention');
        const panel = await workbench.webviewFrame('header.header');
        await eventually(async () => assert.match(await panel.locator('h1').innerText(), /Attention — hello\.prompt/), 30_000);

        const canvas = panel.locator('canvas').first();
        await canvas.waitFor({ state: 'visible', timeout: 120_000 });
        const box = await canvas.boundingBox();
        assert.ok(box !== null && box.width > 0 && box.height > 0, `the canvas has a size: ${JSON.stringify(box)}`);
        await panel.getByRole('combobox', { name: 'Layer', exact: true }).waitFor({ state: 'visible', timeout: 10_000 });
        await panel.getByRole('combobox', { name: 'Head', exact: true }).waitFor({ state: 'visible', timeout: 10_000 });
        assert.ok(await panel.getByRole('combobox', { name: 'Layer', exact: true }).locator('option').count() >= 1);

        // The heatmap is drawn: some pixels are not fully transparent.
        await eventually(async () => {
            const painted = await canvas.evaluate((node: HTMLCanvasElement) => {
                const data = node.getContext('2d')?.getImageData(0, 0, node.width, node.height).data;
                if (data === undefined) return 0;
                let count = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
                return count;
            });
            assert.ok(painted > 0, 'the canvas has painted pixels');
        }, 30_000);
        await workbench.screenshot('attention--heatmap');
    });

    scenario('keyboard: arrow keys, Home and End move between tokens; Enter pins one and the focus stays; the heatmap cursor moves and pins with keys', async ({ workbench }) => {
        const panel = await showHelloAttention(workbench);
        const keys = workbench.page.keyboard;
        const chips = panel.locator('.token-flow .token');
        const n = await chips.count();
        const summary = panel.locator('.attended');
        assert.equal(await panel.locator('.token-flow .token[tabindex="0"]').count(), 1, 'one tab stop for the whole token list');

        // A click pins the token and puts the keyboard focus in the page; Escape unpins it.
        await chips.nth(0).click();
        await eventually(async () => assert.equal(await chips.nth(0).getAttribute('aria-selected'), 'true'), 10_000);
        assert.equal(await focused(panel), '0');
        await keys.press('Escape');
        await eventually(async () => assert.equal(await chips.nth(0).getAttribute('aria-selected'), 'false'), 10_000);
        // The pointer leaves the tokens (a hovered token is what the lines show), so what follows is the keyboard's.
        await workbench.page.mouse.move(0, 0);
        await keys.press('ArrowRight');
        assert.equal(await focused(panel), '1');
        await eventually(async () => assert.match(await summary.innerText(), /^#1 /), 10_000);
        await keys.press('End');
        assert.equal(await focused(panel), String(n - 1));
        await keys.press('Home');
        assert.equal(await focused(panel), '0');
        await keys.press('ArrowRight');
        await keys.press('ArrowRight');
        assert.equal(await focused(panel), '2');

        // Enter pins the token (the heatmap redraws its row): the focus stays on the token, so the arrows go on.
        await keys.press('Enter');
        await eventually(async () => assert.equal(await chips.nth(2).getAttribute('aria-selected'), 'true'), 10_000);
        assert.equal(await focused(panel), '2', 'the focus stays on the pinned token');
        await keys.press('ArrowRight');
        assert.equal(await focused(panel), '3');
        assert.match(await summary.innerText(), /^#3 /);
        await keys.press('Escape');
        await eventually(async () => assert.equal(await panel.locator('.token-flow .token[aria-selected="true"]').count(), 0), 10_000);

        // The heatmap: arrows move a cursor over the causal cells, Enter pins the cursor's query.
        const canvas = panel.locator('canvas.heatmap');
        await canvas.focus();
        for (let i = 0; i < 3; i++) await keys.press('ArrowDown');
        const readout = panel.locator('.readout');
        await eventually(async () => assert.match(await readout.innerText(), /^query #3 .* → key #0 /), 10_000);
        await keys.press('ArrowRight');
        await eventually(async () => assert.match(await readout.innerText(), /^query #3 .* → key #1 /), 10_000);
        await keys.press('Enter');
        await eventually(async () => assert.equal(await chips.nth(3).getAttribute('aria-selected'), 'true'), 10_000);
        assert.match(await focused(panel), /^canvas layer 0/, 'the focus stays on the heatmap');
        await keys.press('ArrowDown');
        await eventually(async () => assert.match(await readout.innerText(), /^query #4 /), 10_000);
        await keys.press('Escape');

        // A selector changed with the arrow keys keeps the focus, though the header is rebuilt.
        const head = panel.getByRole('combobox', { name: 'Head', exact: true });
        await head.focus();
        await keys.press('ArrowDown');
        await eventually(async () => assert.match(await panel.locator('.maps h2').filter({ hasText: 'Heatmap' }).innerText(), /head 0/), 10_000);
        assert.equal(await focused(panel), 'select Head');
        await keys.press('ArrowDown');
        await eventually(async () => assert.match(await panel.locator('.maps h2').filter({ hasText: 'Heatmap' }).innerText(), /head 1/), 10_000);
    });

    scenario('theme colours: the page draws with the theme\'s variables, and the heatmap is redrawn when VS Code changes them', async ({ workbench }) => {
        const panel = await showHelloAttention(workbench);
        // The top right cell (query 0, key n-1) is in the future of its query: transparent over the painted background.
        const colours = () => panel.evaluate(() => {
            const canvas = document.querySelector<HTMLCanvasElement>('canvas.heatmap')!;
            const [r, g, b] = canvas.getContext('2d')!.getImageData(canvas.width - 1, 0, 1, 1).data;
            return { pixel: `rgb(${r}, ${g}, ${b})`, body: getComputedStyle(document.body).backgroundColor };
        });
        const before = await colours();
        assert.equal(before.pixel, before.body, 'the heatmap background is the editor background');
        // What VS Code does to a webview on a theme switch: new --vscode-* values in <html>'s style, the kind as <body>'s
        // class. (The theme picker itself cannot be driven here: offline, code-server's picker turns to the marketplace.)
        const switchTheme = (background: string, kind: string) => panel.evaluate(([bg, k]) => {
            document.documentElement.style.setProperty('--vscode-editor-background', bg!);
            document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
            document.body.classList.add(k!);
        }, [background, kind]);
        const original = await panel.evaluate(() => ({
            background: document.documentElement.style.getPropertyValue('--vscode-editor-background'),
            kind: ['vscode-light', 'vscode-dark', 'vscode-high-contrast'].find(k => document.body.classList.contains(k)) ?? 'vscode-light',
        }));
        try {
            await switchTheme('rgb(12, 34, 56)', 'vscode-dark');
            await eventually(async () => {
                const after = await colours();
                assert.equal(after.body, 'rgb(12, 34, 56)', 'the page follows the variables');
                assert.equal(after.pixel, after.body, 'the heatmap is redrawn with the new background');
            }, 10_000);
        } finally {
            await switchTheme(original.background, original.kind);
        }
        await eventually(async () => assert.equal((await colours()).pixel, before.body, 'redrawn again in the first theme'), 10_000);
    });

    scenario('the view survives being hidden and a window reload (serializer): pinned token, head and scale kept, nothing recomputed', async ({ workbench }) => {
        let panel = await showHelloAttention(workbench);
        const fourth = panel.locator('.token-flow .token').nth(4);
        if (await fourth.getAttribute('aria-selected') !== 'true') await fourth.click();
        await panel.getByRole('combobox', { name: 'Head', exact: true }).selectOption('1');
        await panel.getByRole('combobox', { name: 'Scale', exact: true }).selectOption('linear');
        // The capture's own timing: a recomputed report would have another.
        const facts = await panel.locator('header dl.facts').innerText();
        assert.match(facts, /Capture\s+\d+ ms/);
        const expectKept = async (frame: Frame, when: string) => {
            await eventually(async () => {
                assert.match(await frame.locator('h1').innerText(), /Attention — hello\.prompt/, when);
                assert.equal(await frame.locator('.token-flow .token').nth(4).getAttribute('aria-selected'), 'true', `${when}: the pinned token`);
                assert.equal(await frame.getByRole('combobox', { name: 'Head', exact: true }).inputValue(), '1', `${when}: the head`);
                assert.equal(await frame.getByRole('combobox', { name: 'Scale', exact: true }).inputValue(), 'linear', `${when}: the scale`);
                assert.match(await frame.locator('.maps h2').filter({ hasText: 'Heatmap' }).innerText(), /layer 0, head 1/, when);
                assert.equal(await frame.locator('header dl.facts').innerText(), facts, `${when}: the same capture`);
                assert.match(await frame.locator('.attended').innerText(), /^#4 /, `${when}: the pinned token's lines`);
            }, 30_000);
        };
        await expectKept(panel, 'before');

        // Hidden behind another editor of its group: VS Code discards the page (no retainContextWhenHidden).
        await workbench.showTab('Attention: hello.prompt');
        await workbench.openFile('sentiment.prompt');
        await eventually(async () => assert.ok(panel.isDetached(), 'the hidden page is gone'), 15_000);
        await workbench.showTab('Attention: hello.prompt');
        panel = await workbench.webviewFrame('.token-flow .token', 30_000);
        await expectKept(panel, 'shown again');

        // A window reload: a new extension host; the serializer restores the panel from the page's state.
        await workbench.reload();
        // The workbench may restore the group with another editor in front; a panel's page is restored once shown.
        await workbench.showTab('Attention: hello.prompt', 60_000);
        panel = await workbench.webviewFrame('.token-flow .token', 60_000);
        await expectKept(panel, 'after a reload');
        assert.equal(await panel.locator('.status.done').count(), 1);
        await workbench.screenshot('attention--restored');
    }, { timeoutMs: 180_000 });
});
