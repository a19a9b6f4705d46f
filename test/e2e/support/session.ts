import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CodeServer, runningDir, type CodeServerOptions } from './CodeServer';
import { chromiumPath, extensionFolder, extensionVsix, repoRoot, resultsDir } from './paths';
import { Workbench } from './Workbench';

/** A started code-server with a Chromium page showing its workbench. */
export interface E2eSession {
    server: CodeServer;
    browser: Browser;
    workbench: Workbench;
    /** Errors the page logged (console.error, uncaught exceptions), for scenarios that assert none happened. */
    pageErrors: string[];
    /** Closes Chromium and removes its profile. */
    closeBrowser(): Promise<void>;
}

export interface ScenarioOptions {
    /** Defaults to 120 s: the first model load and extension activation are slow on 2 busy cores. */
    timeoutMs?: number;
}

export type SuiteOptions = Omit<CodeServerOptions, 'extensionFolders'> & {
    extensionFolders?: string[];
    /** Options that need async work first (e.g. the fixture model's path for `promptscope.model`); merged over the rest. */
    prepare?: () => Promise<Partial<CodeServerOptions>>;
};

export type Scenario = (name: string, body: (session: E2eSession, t: TestContext) => Promise<void>, options?: ScenarioOptions) => void;

/** Flags for Debian's Chromium in a container: no sandbox (root), no GPU, nothing that calls home. */
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check'];

/**
 * Declares a suite that starts its own code-server (issue 8: restart between suites, old extension hosts
 * linger) and Chromium before its scenarios and stops both after them. Each scenario saves a screenshot
 * to test-results/e2e/<suite>--<scenario>.png whether it passed or failed.
 */
export function e2eSuite(name: string, options: SuiteOptions, define: (scenario: Scenario) => void): void {
    describe(name, () => {
        let session: E2eSession | undefined;

        before(async () => {
            const installed = extensionVsix ? { extensionFolders: [], vsixFiles: [extensionVsix] } : { extensionFolders: [extensionFolder] };
            const { prepare, ...fixed } = options;
            const prepared = await prepare?.();
            const server = await CodeServer.start({ ...installed, workspaceContents: [join(repoRoot, 'examples')], ...fixed, ...prepared,
                settings: { ...fixed.settings, ...prepared?.settings } });
            try {
                const browser = await openBrowser(server.url);
                session = { server, ...browser };
            } catch (e) {
                saveLogs(name, server);
                await server.stop();
                throw e;
            }
        });

        after(async () => {
            if (!session) return;
            await session.closeBrowser();
            saveLogs(name, session.server);
            await session.server.stop();
        });

        define((scenarioName, body, scenarioOptions = {}) => {
            test(scenarioName, { timeout: scenarioOptions.timeoutMs ?? 120_000 }, async t => {
                if (!session) throw new Error('the e2e session did not start; see the before hook failure');
                try {
                    await body(session, t);
                } finally {
                    const shot = await session.workbench.screenshot(`${slug(name)}--${slug(scenarioName)}`).catch(e => `failed: ${e}`);
                    t.diagnostic(`screenshot: ${shot}`);
                }
            });
        });
    });
}

/** Starts Chromium with its own HOME, opens `url` and waits for the workbench to render. */
export async function openBrowser(url: string): Promise<Omit<E2eSession, 'server'>> {
    const browserHome = mkdtempSync(join(tmpdir(), 'promptscope-e2e-chromium-'));
    // Recorded like code-server's pid, so the runner removes the profile if this process is interrupted.
    const marker = join(runningDir, `chromium-${basename(browserHome)}`);
    mkdirSync(runningDir, { recursive: true });
    writeFileSync(marker, `${browserHome}\n${process.pid}\n`);
    let browser: Browser | undefined;
    const closeBrowser = async () => {
        await browser?.close().catch(() => undefined);
        rmSync(browserHome, { recursive: true, force: true });
        rmSync(marker, { force: true });
    };
    try {
        browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, env: { ...process.env, HOME: browserHome }, timeout: 60_000 });
    } catch (e) {
        await closeBrowser();
        throw e;
    }
    try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const pageErrors: string[] = [];
        page.on('pageerror', e => pageErrors.push(`pageerror: ${e.message}`));
        page.on('console', m => { if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`); });
        await page.goto(url);
        const workbench = new Workbench(page);
        await workbench.waitReady();
        return { browser, workbench, pageErrors, closeBrowser };
    } catch (e) {
        await closeBrowser();
        throw e;
    }
}

/** Copies code-server's log and VS Code's logs (extension host, our output channel) next to the screenshots. */
export function saveLogs(suite: string, server: CodeServer, logsDir = join(resultsDir, 'logs')): void {
    const target = join(logsDir, slug(suite));
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    cpSync(join(server.sandbox, 'code-server.log'), join(target, 'code-server.log'));
    const vscodeLogs = join(server.userDataDir, 'logs');
    if (existsSync(vscodeLogs)) cpSync(vscodeLogs, join(target, 'vscode'), { recursive: true });
}

function slug(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

interface ManifestCommand {
    command: string;
    title: string;
    category?: string;
}

/** Commands the extension manifest contributes, read fresh (the manifest is being extended as features land). */
export function manifestCommands(): ManifestCommand[] {
    const manifest = JSON.parse(readFileSync(join(extensionFolder, 'package.json'), 'utf8')) as { contributes?: { commands?: ManifestCommand[] } };
    return manifest.contributes?.commands ?? [];
}

/** The title the palette shows for a contributed command ("Category: Title"). */
export function paletteTitle(command: ManifestCommand): string {
    return command.category ? `${command.category}: ${command.title}` : command.title;
}
