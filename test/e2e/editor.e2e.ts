// `npm run editor`: code-server with the extension on examples/, started as a user starts it, its URL fetched and
// opened in Chromium, then stopped with Ctrl-C (SIGINT to its process group), which must end code-server too.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from './support/eventually';
import { repoRoot } from './support/paths';
import { descendantsOf, isAlive } from './support/processes';
import { openBrowser } from './support/session';

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}

/** Resolves with the first stdout line matching `pattern`, rejects if the process exits first or after `timeoutMs`. */
function waitForLine(child: ChildProcess, pattern: RegExp, output: { text: string }, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output.text.slice(-3000)}`)), timeoutMs);
        const check = () => {
            const match = pattern.exec(output.text);
            if (match) {
                clearTimeout(timer);
                resolve(match);
            }
        };
        child.stdout!.on('data', check);
        child.on('exit', code => {
            clearTimeout(timer);
            reject(new Error(`npm run editor exited (${code}) before printing its URL:\n${output.text.slice(-3000)}`));
        });
    });
}

describe('npm run editor', () => {
    test('a bad --port is refused with a message naming it, before anything starts', () => {
        const r = spawnSync('npm', ['run', '--silent', 'editor', '--', '--port', 'eighty'], { cwd: repoRoot, encoding: 'utf8' });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /\[editor\] --port eighty: expected a port number/);
    });

    test('prints a 127.0.0.1 URL that serves the workbench on examples/ with Promptscope installed; Ctrl-C stops code-server', { timeout: 300_000 }, async () => {
        const port = await freePort();
        const output = { text: '' };
        const editor = spawn('npm', ['run', 'editor', '--', '--port', String(port)], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        editor.stdout!.on('data', chunk => { output.text += String(chunk); });
        editor.stderr!.on('data', chunk => { output.text += String(chunk); });
        const exited = new Promise<number | null>(resolve => editor.on('exit', code => resolve(code)));
        let codeServerPid: number | undefined;
        try {
            const [, url] = await waitForLine(editor, /Promptscope in code-server on examples\/: (http:\/\/\S+)/, output, 240_000);
            assert.equal(url, `http://127.0.0.1:${port}/`);
            codeServerPid = descendantsOf(editor.pid!).find(p => p.command.includes('code-server') && p.command.includes('--bind-addr'))?.pid;
            assert.ok(codeServerPid, 'code-server runs under npm run editor');

            // The root redirects to the workbench on examples/ itself (opened in place, not a copy).
            const root = await fetch(url, { redirect: 'manual' });
            assert.equal(root.status, 302);
            assert.equal(new URL(root.headers.get('location')!, url).searchParams.get('folder'), join(repoRoot, 'examples'));
            const page = await fetch(url);
            assert.equal(page.status, 200);
            assert.match(await page.text(), /workbench/);

            // A browser shows the examples in the Explorer, and the extension is installed: its commands are in the palette.
            const { workbench, closeBrowser } = await openBrowser(url);
            try {
                await workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'arithmetic.prompt' }).first().waitFor({ state: 'visible', timeout: 60_000 });
                await workbench.findCommand('Promptscope: Load Model…', 60_000);
                await workbench.closeQuickInput();
            } finally {
                await closeBrowser();
            }
        } finally {
            // Ctrl-C: SIGINT to the foreground process group (npm, its shell, the editor script).
            try { process.kill(-editor.pid!, 'SIGINT'); } catch { /* already gone */ }
        }
        const code = await Promise.race([exited, sleep(30_000).then(() => 'still running' as const)]);
        assert.notEqual(code, 'still running', `npm run editor did not end within 30 s of Ctrl-C:\n${output.text.slice(-2000)}`);
        assert.match(output.text, /\[editor\] stopping code-server/);
        await eventually(() => assert.ok(!isAlive(codeServerPid!), `code-server ${codeServerPid} ended with it`), 10_000);
        await eventually(async () => assert.ok(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true), 'nothing answers on the port any more'), 10_000);
    });
});
