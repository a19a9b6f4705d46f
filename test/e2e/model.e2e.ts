// Loading models through the palette, and surviving a runtime host that dies.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CodeServer } from './support/CodeServer';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import type { Workbench } from './support/Workbench';

/**
 * "Promptscope: Load Model…" → "Browse for GGUF…" → VS Code's own file dialog (in a browser it is the
 * simple dialog: a quick input holding a path) → type the path → Enter.
 */
async function loadThroughPicker(workbench: Workbench, path: string): Promise<void> {
    await workbench.runCommand('Promptscope: Load Model…');
    await eventually(async () => assert.match(await workbench.quickInputPrompt(), /Load Model|GGUF/));
    await workbench.pickQuickPickRow(/Browse for GGUF/);
    await workbench.answerFileDialog(path);
}

function runtimeHosts(server: CodeServer) {
    return server.descendants().filter(p => p.command.includes('runtime-host.js'));
}

e2eSuite('model', {}, scenario => {
    scenario('Load Model… with a file that is not a GGUF model shows an error naming the file', async ({ server, workbench }) => {
        const file = join(server.workspace, 'not-a-model.gguf');
        writeFileSync(file, 'PK\x03\x04 this is a zip file, not a model');
        await loadThroughPicker(workbench, file);
        // The error names the file and what is wrong with it.
        const toast = workbench.errorNotification(/not-a-model\.gguf/);
        await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
        assert.match(await toast.first().innerText(), /not a GGUF file/);
        // The load is over: its progress notification is gone and nothing was loaded.
        await workbench.notification(/loading not-a-model\.gguf/).waitFor({ state: 'hidden', timeout: 30_000 });
        await eventually(async () => assert.match(await workbench.statusBarItem('promptscope.status').innerText(), /No model/));
        await workbench.screenshot('model--not-a-gguf-error');
        await workbench.clearNotifications();
    });

    scenario('Load Model… with the fixture model shows it in the status bar', async ({ workbench }) => {
        const model = await fixtureModel();
        await loadThroughPicker(workbench, model);
        const item = workbench.statusBarItem('promptscope.status');
        // "<model name> · cpu" once loaded (the name shortened to fit).
        const text = await eventually(async () => {
            const shown = (await item.innerText()).trim();
            assert.doesNotMatch(shown, /No model|Loading/);
            assert.match(shown, /·\s*cpu/);
            return shown;
        }, 120_000);
        // Its tooltip has the full name and the file that was loaded.
        const tooltip = await workbench.hoverText(item, /Architecture/);
        assert.match(tooltip, new RegExp(basename(model).replace(/\./g, '\\.')));
        assert.match(tooltip, /llama/);
        const shownName = text.split('·')[0]!.trim().replace(/…$/, '');
        assert.ok(shownName.length > 0 && tooltip.includes(shownName), `the status bar shows "${shownName}", which is not the model name in its tooltip:\n${tooltip}`);
    });

    scenario('killing the runtime host shows an error, and the next command starts a new host', async ({ server, workbench }) => {
        const [host] = runtimeHosts(server);
        assert.ok(host, `no runtime host is running (processes under code-server: ${server.descendants().map(p => p.command.slice(0, 80)).join(' | ')})`);
        process.kill(host.pid, 'SIGKILL');
        const toast = workbench.errorNotification(/runtime stopped/);
        await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await toast.first().innerText(), /SIGKILL/);
        await eventually(async () => assert.match(await workbench.statusBarItem('promptscope.status').innerText(), /runtime stopped/));
        await workbench.screenshot('model--runtime-host-killed');
        await workbench.clearNotifications();

        // The next command is served by a new host: the model loads again.
        await loadThroughPicker(workbench, await fixtureModel());
        await eventually(async () => {
            const text = await workbench.statusBarItem('promptscope.status').innerText();
            assert.doesNotMatch(text, /No model|Loading|runtime stopped/);
            assert.match(text, /·\s*cpu/);
        }, 120_000);
        const [restarted] = runtimeHosts(server);
        assert.ok(restarted && restarted.pid !== host.pid, 'a new runtime host process serves the next command');
    });
});
