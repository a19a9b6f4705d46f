import assert from 'node:assert/strict';
import { e2eSuite } from './support/session';

e2eSuite('workbench', {}, scenario => {
    scenario('loads and lists built-in commands in the palette', async ({ workbench }) => {
        const row = await workbench.findCommand('Developer: Inspect Context Keys');
        assert.match(await row.innerText(), /Inspect Context Keys/);
        await workbench.closeQuickInput();
    });
});
