// An untrusted workspace (Workspace Trust on, the folder never trusted, as a fresh clone opens): paths that the
// workspace's files name are not loaded without the user's word. A `.prompt` whose front matter names a LoRA adapter
// asks once, showing the path and the file; refused, the run does not load it and says so, and is not asked again.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureLoraPath } from '../support/fixtures';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';

e2eSuite('untrusted workspace', {
    untrustedWorkspace: true,
    // The model is the user's own choice (user settings): it loads without asking; only the workspace's adapter asks.
    prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }),
}, scenario => {
    scenario('an adapter named in a .prompt asks once with its path; declined, the run does not load it and says so', async ({ server, workbench }) => {
        const adapter = join(server.workspace, 'style-adapter.gguf');
        copyFileSync(await fixtureLoraPath(), adapter);
        writeFileSync(join(server.workspace, 'adapted.prompt'), [
            '---', 'promptscope.lora:', '  path: style-adapter.gguf', '  scale: 1', 'config:', '  maxOutputTokens: 4', '---', 'Say hello.', '',
        ].join('\n'));

        await workbench.openFile('adapted.prompt');
        await workbench.runCommand('Promptscope: Run Prompt');
        const dialog = workbench.page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 60_000 });
        const question = await dialog.innerText();
        assert.match(question, new RegExp(`Load the adapter ${adapter.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} named in adapted\\.prompt\\?`));
        assert.match(question, /This workspace is not trusted/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });

        // Said so: which adapter, and that the prompt did not run.
        const refusal = workbench.errorNotification(/adapted\.prompt: not loading the adapter .*style-adapter\.gguf named in promptscope\.lora/);
        await refusal.first().waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await refusal.first().innerText(), /this workspace is not trusted and loading was declined, so the prompt did not run/);
        // Not loaded: no run output, no run history, and the runtime never saw the adapter (its log names every load).
        assert.equal(await workbench.page.locator('.tab[data-resource-name="adapted.prompt.output"]').count(), 0);
        const runs = join(server.workspace, '.promptscope', 'runs');
        const recorded = existsSync(runs) ? readdirSync(runs).map(f => readFileSync(join(runs, f), 'utf8')).join('') : '';
        assert.doesNotMatch(recorded, /adapted\.prompt|style-adapter/, 'no run of adapted.prompt was recorded');

        // Asked once per path: the next run is refused without a second question.
        await workbench.clearNotifications();
        await workbench.runCommand('Promptscope: Run Prompt');
        await refusal.first().waitFor({ state: 'visible', timeout: 30_000 });
        assert.equal(await dialog.count(), 0, 'not asked again');

        await workbench.runCommand('Promptscope: Show Logs');
        await eventually(async () => assert.match(await workbench.outputText(), /Workspace Trust: declined .*style-adapter\.gguf/));
        assert.doesNotMatch(await workbench.outputText(), /Loading .*style-adapter\.gguf|lora.*style-adapter/i);
    }, { timeoutMs: 180_000 });

    scenario('an adapter read back from the committed run history asks with its path; declined, the playground does not take it', async ({ server, workbench }) => {
        const evil = '/opt/elsewhere/history-adapter.gguf';
        const runs = join(server.workspace, '.promptscope', 'runs');
        mkdirSync(runs, { recursive: true });
        const time = '2020-01-02T10:00:00.000Z';
        writeFileSync(join(runs, '2020-01-02.jsonl'), JSON.stringify({
            time, command: 'run', messages: [{ role: 'user', text: 'From the history' }], sampling: { temperature: 0 }, seed: 7,
            adapters: [{ path: evil, scale: 1 }], outputs: ['x'],
        }) + '\n');

        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const open = view.getByRole('button', { name: `open the run of ${time}` });
        await open.waitFor({ state: 'visible', timeout: 60_000 });
        await open.click();
        const dialog = workbench.page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await dialog.innerText(), /Load the adapter \/opt\/elsewhere\/history-adapter\.gguf named in \.promptscope\/runs\/2020-01-02\.jsonl\?/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();

        // The run's text is in the form; its adapter is not, and the notice says so.
        const notice = view.getByRole('status').filter({ hasText: 'Reopened' });
        await eventually(async () => assert.match(await notice.first().innerText(),
            /Reopened the run run of 2020-01-02T10:00:00\.000Z Not loading the adapter \/opt\/elsewhere\/history-adapter\.gguf: declined for this untrusted workspace\./), 30_000);
    }, { timeoutMs: 180_000 });
});
