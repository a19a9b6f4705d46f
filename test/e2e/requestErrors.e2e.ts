// A webview request whose host handler throws: the page gets an error reply and shows it, instead of a promise that
// never settles. The playground's History asks the host for the run history; a runs folder the host cannot read
// (a directory where a .jsonl file should be) makes that handler throw.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually';
import { e2eSuite } from './support/session';

e2eSuite('request errors', {}, scenario => {
    scenario('the playground shows the error of a failed history request, and Refresh lists the runs once the folder is fixed', async ({ server, workbench }) => {
        const broken = join(server.workspace, '.promptscope', 'runs', '2020-01-01.jsonl');
        mkdirSync(broken, { recursive: true });
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const history = view.getByRole('list', { name: 'Recent runs' });
        // The host's message (the bounded reader refuses the directory, naming it), in the list where the runs would be.
        await eventually(async () => assert.match(await history.innerText(), /2020-01-01\.jsonl: it is a folder, not a regular file/), 60_000);
        assert.equal(await history.locator('.error').count(), 1, 'shown as an error');

        rmSync(broken, { recursive: true });
        await view.getByRole('button', { name: 'Refresh the history' }).click();
        // The runs (the copied examples may have some) or "No runs yet": either way the list again, without the error.
        await eventually(async () => {
            assert.equal(await history.locator('.error').count(), 0);
            assert.match(await history.innerText(), /No runs yet|Re-run/);
        }, 30_000);
    });
});
