// Hangs become errors: a model URL nobody answers at fails fast, a silent server times out, Ctrl-C during a download
// is a cancellation, and a runtime host that stops responding ends the command with "runtime not responding".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { fixtureModelPath } from '../support/fixtures';
import { collectOutput, repoRoot, runCli, type CliRun } from '../support/runCli';

/** On top of a bound: the CLI's start (~1–3 s on a busy two-core machine) and one liveness tick. */
const slackSeconds = 8;

function listening(server: Server | HttpServer): Promise<string> {
    return new Promise(resolve => server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        resolve(`http://127.0.0.1:${port}`);
    }));
}

/** Size the stalling servers claim for their file. */
const claimedSize = 100_000_000;

/**
 * A server that sends the headers of a large file and then only `prefix` bytes of it: a download that stalls mid-body.
 * It answers range requests as a server that says `accept-ranges: bytes` does (206, Content-Range, the range's own
 * length), each range also stalling after `prefix` bytes: node-llama-cpp's downloader splits the file into ranges
 * fetched in parallel. `ranges: false` answers them with the whole file instead (200), as a broken server would.
 */
function stallingFileServer(prefix: number, options: { ranges?: boolean } = {}): HttpServer {
    return createHttpServer((request, response) => {
        const range = options.ranges === false ? null : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
        const first = range ? Number(range[1]) : 0;
        const last = range && range[2] !== '' ? Math.min(Number(range[2]), claimedSize - 1) : claimedSize - 1;
        const length = last - first + 1;
        response.writeHead(range ? 206 : 200, {
            'content-type': 'application/octet-stream',
            'content-length': String(length),
            'accept-ranges': 'bytes',
            ...(range ? { 'content-range': `bytes ${first}-${last}/${claimedSize}` } : {}),
        });
        if (request.method === 'HEAD') response.end();
        else response.write(Buffer.alloc(Math.min(prefix, length)));
    });
}

/** Resolves at the server's first GET (the download, after the HEAD that checks the server first). */
function firstGet(server: HttpServer): Promise<void> {
    return new Promise(resolve => {
        const onRequest = (request: { method?: string }) => {
            if (request.method !== 'GET') return;
            server.off('request', onRequest);
            resolve();
        };
        server.on('request', onRequest);
    });
}

/** A CLI run the test can signal while it runs: its own process group, so a SIGINT reaches the runtime host too, as Ctrl-C does. */
function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; firstOutput: Promise<void>; done: Promise<CliRun> } {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
        cwd: repoRoot,
        env: { ...process.env, PROMPTSCOPE_MODEL: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
    });
    const output = collectOutput(child);
    const done = new Promise<CliRun>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', code => resolve({ code, stdout: output.stdout, stderr: output.stderr }));
    });
    return { child, firstOutput: output.firstOutput, done };
}

/** The runtime host a CLI process forked (Linux: its only child process). */
async function hostOf(cliPid: number): Promise<number> {
    for (let waited = 0; waited < 30_000; waited += 50) {
        const children = readFileSync(`/proc/${cliPid}/task/${cliPid}/children`, 'utf8').trim();
        if (children !== '') return Number(children.split(/\s+/)[0]);
        await wait(50);
    }
    throw new Error(`the CLI (pid ${cliPid}) started no runtime host`);
}

describe('CLI: no hangs on the runtime or a model download', () => {
    let home: string;
    let env: NodeJS.ProcessEnv;

    before(() => {
        // Downloads go to ~/.cache/promptscope/models: a home of the test's own.
        home = mkdtempSync(join(tmpdir(), 'promptscope-liveness-'));
        env = { HOME: home };
    });

    after(() => {
        rmSync(home, { recursive: true, force: true });
    });

    test('a model URL on a port nothing listens on fails within seconds, naming the URL', async () => {
        const server = createServer();
        const origin = await listening(server);
        await new Promise<void>(resolve => server.close(() => resolve()));
        const url = `${origin}/model.gguf`;
        const started = performance.now();
        const run = await runCli(['run', '--text', 'hi', '--model', url], env);
        const seconds = (performance.now() - started) / 1000;
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /Could not download the model http:\/\/127\.0\.0\.1:\d+\/model\.gguf: the server cannot be reached \(ECONNREFUSED/);
        assert.ok(run.stderr.includes(url));
        assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
    });

    test('a server that accepts the connection and never answers times out after --runtime-timeout, naming the URL', async () => {
        const sockets = new Set<Socket>();
        const server = createServer(socket => { sockets.add(socket); socket.on('error', () => undefined); });
        const url = `${await listening(server)}/silent.gguf`;
        try {
            const started = performance.now();
            const run = await runCli(['run', '--text', 'hi', '--model', url, '--runtime-timeout', '2'], env);
            const seconds = (performance.now() - started) / 1000;
            assert.equal(run.code, 1, run.stderr);
            assert.ok(run.stderr.includes(url), run.stderr);
            assert.match(run.stderr, /the server sent nothing for 2 s \(allow it longer with promptscope\.runtime\.responseTimeoutSeconds, or --runtime-timeout SECONDS\)/);
            assert.ok(seconds < 2 + slackSeconds, `took ${seconds.toFixed(1)} s`);
        } finally {
            for (const socket of sockets) socket.destroy();
            server.close();
        }
    });

    test('a download that stalls mid-body times out too', async () => {
        const server = stallingFileServer(4096);
        const url = `${await listening(server)}/stalls.gguf`;
        try {
            const run = await runCli(['run', '--text', 'hi', '--model', url, '--runtime-timeout', '2'], env);
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, /Could not download the model http:\/\/127\.0\.0\.1:\d+\/stalls\.gguf: the server sent nothing for 2 s/);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    test('a server that answers range requests with the whole file fails the download, naming the URL, and does not crash the runtime', async () => {
        // node-llama-cpp's downloader then rejects a promise nothing waits on (one per parallel stream): the host logs
        // it and keeps running, and the download fails as the load sees it.
        const server = stallingFileServer(4096, { ranges: false });
        const url = `${await listening(server)}/whole.gguf`;
        try {
            const run = await runCli(['run', '--text', 'hi', '--model', url, '--runtime-timeout', '5'], env);
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, /^promptscope run: Could not download the model http:\/\/127\.0\.0\.1:\d+\/whole\.gguf: /m);
            assert.doesNotMatch(run.stderr, /runtime stopped|sent nothing/);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    test('Ctrl-C during a download reports it cancelled, with status 130', async () => {
        const server = stallingFileServer(4096);
        const url = `${await listening(server)}/interrupted.gguf`;
        try {
            // A bound of 0: nothing but Ctrl-C ends this download.
            const cli = startCli(['run', '--text', 'hi', '--model', url, '--runtime-timeout', '0'], env);
            // Interrupted once the download started (its first bytes were sent).
            await firstGet(server);
            await wait(500);
            process.kill(-cli.child.pid!, 'SIGINT');
            const run = await cli.done;
            assert.equal(run.code, 130, run.stderr);
            assert.match(run.stderr, /^promptscope run: cancelled: /m);
            assert.doesNotMatch(run.stderr, /does not exist|runtime stopped/);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    test('a runtime host stopped mid-run (SIGSTOP) ends the command with "runtime not responding" instead of hanging', { skip: process.platform !== 'linux' && 'finds the host through /proc' }, async () => {
        const model = await fixtureModelPath();
        // A generation long enough to be caught running: no end-of-text token, thousands of tokens.
        const cli = startCli(['run', '--raw', '--text', 'The dog sat on the', '--model', model, '--max-tokens', '1900', '--logit-bias', 'id:2=-inf',
            '--threads', '1', '--runtime-timeout', '3'], {});
        const host = await hostOf(cli.child.pid!);
        await cli.firstOutput;
        process.kill(host, 'SIGSTOP');
        const stoppedAt = performance.now();
        try {
            const run = await cli.done;
            const seconds = (performance.now() - stoppedAt) / 1000;
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, /^promptscope run: runtime not responding for 3 s: the runtime host was stopped/m);
            assert.ok(seconds < 3 + slackSeconds, `exited ${seconds.toFixed(1)} s after SIGSTOP`);
        } finally {
            try {
                process.kill(host, 'SIGCONT');
            } catch {
                // Killed, as it should be.
            }
        }
    });

    test('--runtime-timeout and PROMPTSCOPE_RUNTIME_TIMEOUT must be seconds ≥ 0', async () => {
        const model = await fixtureModelPath();
        const negative = await runCli(['run', '--text', 'hi', '--model', model, '--runtime-timeout=-1']);
        assert.equal(negative.code, 2, negative.stderr);
        assert.match(negative.stderr, /--runtime-timeout expects a number of seconds ≥ 0 \(0 turns the check off; default 30\), got -1/);
        const fromEnvironment = await runCli(['run', '--text', 'hi', '--model', model], { PROMPTSCOPE_RUNTIME_TIMEOUT: 'soon' });
        assert.equal(fromEnvironment.code, 2, fromEnvironment.stderr);
        assert.match(fromEnvironment.stderr, /PROMPTSCOPE_RUNTIME_TIMEOUT expects a number of seconds ≥ 0 .*got "soon"/);
    });
});
