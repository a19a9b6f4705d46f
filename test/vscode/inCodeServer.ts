// Runs the bundled mocha suite of test/vscode inside code-server's extension host: the same runner
// @vscode/test-cli uses (its runner.cjs reads VSCODE_TEST_OPTIONS), handed to VS Code through the web
// workbench's `payload` URL parameter (extensionDevelopmentPath + extensionTestsPath), with a Chromium
// page as the window. Mocha's json reporter writes the results to a file this script reads back.
//   node --import tsx test/vscode/inCodeServer.ts OUT_DIR   (test/vscode/run.mjs does this)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CodeServer } from '../e2e/support/CodeServer';
import { repoRoot } from '../e2e/support/paths';
import { openBrowser, saveLogs } from '../e2e/support/session';

interface MochaTest { fullTitle: string; err?: { message?: string } }
interface MochaJson { stats: { passes: number; failures: number; pending: number; duration?: number }; passes: MochaTest[]; failures: MochaTest[]; pending: MochaTest[] }

/**
 * A backstop for an extension host that never runs the tests (mocha's json reporter writes only at the end, and each
 * test has its own mocha timeout). The whole suite loads models some forty times: minutes on 2 busy cores.
 */
const timeoutMs = 900_000;

async function main(): Promise<number> {
    const outDir = process.argv[2];
    if (!outDir || !existsSync(outDir)) throw new Error(`usage: inCodeServer.ts BUNDLED_TESTS_DIR (missing: ${outDir})`);
    const files = readdirSync(outDir).filter(f => f.endsWith('.test.js')).sort().map(f => join(outDir, f));
    const resultFile = join(outDir, 'code-server-results.json');
    const options = { mochaOpts: { ui: 'bdd', timeout: 60_000, reporter: 'json', reporterOption: { output: resultFile } }, files, preload: [], colorDefault: false };
    const server = await CodeServer.start({
        // The extension comes in as a development extension (payload below), as it would under test-electron.
        extensionFolders: [],
        workspaceContents: [join(repoRoot, 'examples')],
        env: { VSCODE_TEST_OPTIONS: JSON.stringify(options) },
    });
    let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
    try {
        const remote = (path: string) => `vscode-remote://${new URL(server.url).host}${path}`;
        const payload = [
            ['extensionDevelopmentPath', remote(repoRoot)],
            ['extensionTestsPath', remote(join(repoRoot, 'node_modules/@vscode/test-cli/out/runner.cjs'))],
        ];
        const url = `${server.url}?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        console.log(`[test:vscode] code-server ${server.url} running ${files.length} test file(s) in its extension host`);
        browser = await openBrowser(url);
        const deadline = Date.now() + timeoutMs;
        while (!existsSync(resultFile) && Date.now() < deadline) await sleep(500);
        if (!existsSync(resultFile)) {
            await browser.workbench.screenshot('vscode-suite-in-code-server').catch(() => undefined);
            throw new Error(`no mocha results after ${timeoutMs / 1000} s: the extension host did not run the tests (logs in test-results/vscode/logs)`);
        }
        const results = JSON.parse(readFileSync(resultFile, 'utf8')) as MochaJson;
        for (const t of results.passes) console.log(`  ✔ ${t.fullTitle}`);
        for (const t of results.pending) console.log(`  - ${t.fullTitle} (pending)`);
        for (const t of results.failures) console.log(`  ✖ ${t.fullTitle}\n      ${t.err?.message?.split('\n').join('\n      ')}`);
        console.log(`test:vscode (code-server extension host): ${results.stats.passes} passed, ${results.stats.failures} failed, ${results.stats.pending} pending in ${Math.round((results.stats.duration ?? 0) / 1000)} s`);
        // A pending test is a skip, and a skip that nobody revisits hides the breakage it was meant to wait out.
        if (results.stats.pending > 0) console.log(`test:vscode: ${results.stats.pending} pending (skipped) test(s): skips are not allowed in this suite`);
        if (results.stats.passes === 0) console.log('test:vscode: no test ran');
        return results.stats.failures > 0 || results.stats.pending > 0 || results.stats.passes === 0 ? 1 : 0;
    } finally {
        await browser?.closeBrowser();
        saveLogs('code-server', server, join(repoRoot, 'test-results/vscode/logs'));
        await server.stop();
    }
}

main().then(code => process.exit(code), e => {
    console.error(`[test:vscode] ${e instanceof Error ? e.message : e}`);
    process.exit(1);
});
