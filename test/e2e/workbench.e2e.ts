// The workbench with Promptscope installed, before any model is loaded: commands, logs, status bar.
import assert from 'node:assert/strict';
import { eventually } from './support/eventually';
import { e2eSuite } from './support/session';

const ourCommands = ['Promptscope: Load Model…', 'Promptscope: Show Logs', 'Promptscope: Unload Model'];

e2eSuite('workbench', {}, scenario => {
    scenario('loads and lists built-in commands in the palette', async ({ workbench }) => {
        const row = await workbench.findCommand('Developer: Inspect Context Keys');
        assert.match(await row.innerText(), /Inspect Context Keys/);
        await workbench.closeQuickInput();
    });

    scenario('lists the Promptscope commands in the palette', async ({ workbench }) => {
        for (const title of ourCommands) {
            const row = await workbench.findCommand(title);
            assert.match(await row.innerText(), new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        }
        await workbench.closeQuickInput();
    });

    scenario('Show Logs opens the Promptscope output channel', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Show Logs');
        await eventually(async () => assert.equal(await workbench.selectedOutputChannel(), 'Promptscope'));
        // activate() logs its version first, so the channel is ours and is receiving our log.
        await eventually(async () => assert.match(await workbench.outputText(), /Promptscope \d+\.\d+\.\d+ activated/));
    });

    scenario('the status bar says no model is loaded', async ({ workbench }) => {
        // The previous scenario activated the extension; the item appears on activation.
        const item = workbench.statusBarItem('promptscope.status');
        await eventually(async () => assert.match(await item.innerText(), /No model/));
    });
});
