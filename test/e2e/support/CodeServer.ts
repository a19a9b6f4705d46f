import { cpuBackendCacheRoot } from '../../../src/runtime/build/cpuBackendCache';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { codeServerEntry, repoRoot, resultsDir } from './paths';
import { descendantsOf, isAlive, type ProcessInfo } from './processes';

/** One file per running code-server (named by its pid, which is also its process group id). */
export const runningDir = join(resultsDir, '.running');

export interface CodeServerOptions {
    /** Extension folders to install, each symlinked into the extensions dir as `<publisher>.<name>-<version>`. */
    extensionFolders: string[];
    /** .vsix files to install with code-server's own `--install-extension` before it starts. */
    vsixFiles?: string[];
    /** Folders whose contents are copied into the workspace that the workbench opens. */
    workspaceContents?: string[];
    /** A folder the workbench opens in place (edits stay there), instead of a fresh copy in the sandbox. */
    workspace?: string;
    /** Port on 127.0.0.1. Defaults to a free one. */
    port?: number;
    /** User settings merged over the quiet defaults below. */
    settings?: Record<string, unknown>;
    /** Extra environment for code-server and so for its extension host (e.g. VSCODE_TEST_OPTIONS). */
    env?: Record<string, string>;
    /** How long to wait for the server's health endpoint. Defaults to 60 s. */
    startTimeoutMs?: number;
    /**
     * Keep Workspace Trust on: the workspace opens untrusted (Restricted Mode, without the startup question), as a
     * freshly cloned repository does. Defaults to off (trust disabled: every workspace is trusted).
     */
    untrustedWorkspace?: boolean;
}

/**
 * Settings that keep the workbench from showing anything the scenarios did not ask for (welcome page,
 * update checks, tips) and from reaching for the network.
 */
const quietSettings: Record<string, unknown> = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    'window.restoreWindows': 'none',
};

/** The settings the extensions' manifests give a machine scope (`machine`, `machine-overridable`). */
function machineScopedSettings(extensionFolders: string[]): Set<string> {
    const keys = new Set<string>();
    for (const folder of extensionFolders) {
        const manifest = join(folder, 'package.json');
        if (!existsSync(manifest)) continue;
        const { contributes } = JSON.parse(readFileSync(manifest, 'utf8')) as { contributes?: { configuration?: unknown } };
        const sections = [contributes?.configuration ?? []].flat() as { properties?: Record<string, { scope?: string }> }[];
        for (const section of sections) {
            for (const [key, property] of Object.entries(section.properties ?? {})) {
                if (property.scope === 'machine' || property.scope === 'machine-overridable') keys.add(key);
            }
        }
    }
    return keys;
}

/**
 * One code-server process in a throwaway sandbox: its own HOME and XDG folders (code-server writes to
 * ~/.config otherwise), user-data dir, extensions dir and workspace. It runs in its own process group so
 * stop() also ends the extension host and everything the extension host started (our runtime host).
 */
export class CodeServer {
    private constructor(
        readonly url: string,
        readonly sandbox: string,
        readonly workspace: string,
        readonly userDataDir: string,
        private readonly child: ChildProcess,
        private readonly logFile: string,
    ) {}

    static async start(options: CodeServerOptions): Promise<CodeServer> {
        const sandbox = mkdtempSync(join(tmpdir(), 'promptscope-e2e-'));
        const dirs = {
            home: join(sandbox, 'home'),
            userData: join(sandbox, 'user-data'),
            extensions: join(sandbox, 'extensions'),
            workspace: options.workspace ?? join(sandbox, 'workspace'),
        };
        for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
        for (const folder of options.workspaceContents ?? []) {
            if (existsSync(folder)) cpSync(folder, dirs.workspace, { recursive: true });
        }
        mkdirSync(join(dirs.userData, 'User'), { recursive: true });
        const trustSettings = options.untrustedWorkspace
            ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' }
            : {};
        // code-server is a remote window: VS Code takes machine-scoped settings (promptscope.model…) from the Remote
        // settings, Machine/settings.json, and drops them from the User settings once it knows their scope (after a
        // window reload it often does from the start: a restored Decoding Lab then found no model configured).
        const machineKeys = machineScopedSettings([...options.extensionFolders, repoRoot]);
        const settings = Object.entries({ ...quietSettings, ...trustSettings, ...options.settings });
        mkdirSync(join(dirs.userData, 'Machine'), { recursive: true });
        writeFileSync(join(dirs.userData, 'User/settings.json'), JSON.stringify(Object.fromEntries(settings.filter(([key]) => !machineKeys.has(key))), null, 4));
        writeFileSync(join(dirs.userData, 'Machine/settings.json'), JSON.stringify(Object.fromEntries(settings.filter(([key]) => machineKeys.has(key))), null, 4));
        for (const folder of options.extensionFolders) {
            const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
            symlinkSync(folder, join(dirs.extensions, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
        }

        const port = options.port ?? await freePort();
        const logFile = join(sandbox, 'code-server.log');
        const log = createWriteStream(logFile);
        const env = {
            ...process.env,
            HOME: dirs.home,
            XDG_CONFIG_HOME: join(dirs.home, '.config'),
            XDG_DATA_HOME: join(dirs.home, '.local/share'),
            XDG_CACHE_HOME: join(dirs.home, '.cache'),
            XDG_STATE_HOME: join(dirs.home, '.local/state'),
            // The CPU backend npm install built for this CPU lives under the real home: the extension computes with it
            // there as it does for the developer, rather than starting its background build in every sandbox.
            PROMPTSCOPE_CPU_BACKEND_CACHE: cpuBackendCacheRoot(process.env),
            // An outer VS Code's variables would make code-server think it runs inside a VS Code terminal.
            VSCODE_IPC_HOOK_CLI: '',
            NODE_OPTIONS: '',
            ...options.env,
        };
        for (const vsix of options.vsixFiles ?? []) {
            const install = spawnSync(process.execPath, [codeServerEntry(), '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix],
                { cwd: sandbox, env, encoding: 'utf8' });
            if (install.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${install.status}):\n${install.stdout}${install.stderr}`);
        }
        const child = spawn(process.execPath, [
            codeServerEntry(),
            '--bind-addr', `127.0.0.1:${port}`,
            '--auth', 'none',
            '--user-data-dir', dirs.userData,
            '--extensions-dir', dirs.extensions,
            '--disable-telemetry',
            '--disable-update-check',
            ...(options.untrustedWorkspace ? [] : ['--disable-workspace-trust']),
            '--disable-getting-started-override',
            '--log', 'info',
            dirs.workspace,
        ], { cwd: sandbox, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout!.pipe(log, { end: false });
        child.stderr!.pipe(log, { end: false });

        const server = new CodeServer(`http://127.0.0.1:${port}/`, sandbox, dirs.workspace, dirs.userData, child, logFile);
        // If this test process is killed before stop(), the runner ends the group recorded here (the second line says
        // whose it is: a server whose test process still runs, e.g. a test/vscode run beside an e2e run, is left alone).
        mkdirSync(runningDir, { recursive: true });
        writeFileSync(join(runningDir, String(child.pid)), `${sandbox}\n${process.pid}\n`);
        try {
            await server.waitHealthy(options.startTimeoutMs ?? 60_000);
        } catch (e) {
            await server.stop({ keepSandbox: true });
            throw e;
        }
        return server;
    }

    get pid(): number {
        return this.child.pid!;
    }

    /** Every process code-server started, transitively (extension hosts, our runtime host, …). */
    descendants(): ProcessInfo[] {
        return descendantsOf(this.pid);
    }

    /** code-server's own stdout and stderr so far. */
    log(): string {
        return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
    }

    private async waitHealthy(timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (this.child.exitCode !== null || this.child.signalCode !== null) {
                throw new Error(`code-server exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.log().slice(-3000)}`);
            }
            try {
                const response = await fetch(new URL('healthz', this.url));
                if (response.ok) return;
            } catch {
                // not listening yet
            }
            await sleep(200);
        }
        throw new Error(`code-server did not answer ${this.url}healthz within ${timeoutMs} ms:\n${this.log().slice(-3000)}`);
    }

    /**
     * Ends the whole process group (code-server, extension hosts, our runtime host): TERM, then KILL for
     * whatever is left after 5 s. Processes that left the group (none of ours do) are killed by pid.
     */
    async stop({ keepSandbox = false }: { keepSandbox?: boolean } = {}): Promise<void> {
        const stragglers = this.descendants().map(p => p.pid);
        const group = -this.pid;
        const signalAll = (signal: NodeJS.Signals) => {
            try { process.kill(group, signal); } catch { /* group already gone */ }
            for (const pid of stragglers) {
                try { process.kill(pid, signal); } catch { /* already gone */ }
            }
        };
        signalAll('SIGTERM');
        const deadline = Date.now() + 5_000;
        while (Date.now() < deadline && [this.pid, ...stragglers].some(isAlive)) await sleep(100);
        signalAll('SIGKILL');
        rmSync(join(runningDir, String(this.pid)), { force: true });
        if (!keepSandbox) rmSync(this.sandbox, { recursive: true, force: true });
    }
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.unref();
        server.on('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}
