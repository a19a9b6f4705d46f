// The attention panel on hello.prompt with the fixture model: a heatmap canvas and its layer/head selectors.
import assert from 'node:assert/strict';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';

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
});
