// The client pings the host: a host that stops answering (stopped, or its event loop blocked) fails the pending
// requests with a RuntimeNotRespondingError within the bound, is killed, and the next request starts a new one.
// An error that escapes every caller in the host is logged (a rejection) or ends it with its reason (an exception).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { AddonUnavailableError, RuntimeNotRespondingError, RuntimeStoppedError } from '../../src/shared/errors';
import { fixtureModelPath } from '../support/fixtures';
import { greedy, hostScript, type LogLine } from './helpers';

const prompt = 'The dog sat on the';

/**
 * Late a check may come, on top of the bound: one tick (a quarter of a short bound) plus the scheduling delays of a
 * busy test machine, where both processes share two cores with other suites.
 */
const slackSeconds = 4;

/** A client whose response bound the test sets as it goes (`bound.seconds`), read by the client at every check. */
function liveClient(options: { hostScript?: string } = {}): { client: RuntimeClient; bound: { seconds: number }; log: LogLine[] } {
    const bound = { seconds: 30 };
    const log: LogLine[] = [];
    const client = new RuntimeClient({
        hostScript: options.hostScript ?? hostScript,
        responseTimeoutSeconds: () => bound.seconds,
        log: (level, message, source) => {
            log.push({ level, message, source });
            if (process.env.PROMPTSCOPE_TEST_LOG) process.stderr.write(`[${source}:${level}] ${message}\n`);
        },
    });
    return { client, bound, log };
}

/** Resumes `pid` if it still exists (a test that fails half-way must not leave a stopped process behind). */
function resume(pid: number | undefined): void {
    if (pid === undefined) return;
    try {
        process.kill(pid, 'SIGCONT');
    } catch {
        // Already gone: killed, as it should be.
    }
}

function exists(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe('runtime host liveness', () => {
    let modelPath: string;
    let client: RuntimeClient;
    let bound: { seconds: number };

    before(async () => {
        modelPath = await fixtureModelPath();
        ({ client, bound } = liveClient());
        // Loaded under the default bound: the tests below shorten it only around what they check.
        await client.loadModel({ model: modelPath, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client.dispose();
    });

    test('a busy host keeps answering: requests lasting several times a short bound are not reported', async () => {
        const pid = client.hostPid;
        const stops: string[] = [];
        const unsubscribe = client.onDidStop(reason => stops.push(reason));
        bound.seconds = 2;
        try {
            // Generation, probabilities and attention (node-llama-cpp's workers and our addon's) back to back, each
            // request's work running off the host's main thread, which keeps answering pings meanwhile.
            const until = performance.now() + 3 * bound.seconds * 1000;
            let rounds = 0;
            while (performance.now() < until || rounds === 0) {
                await Promise.all([
                    client.complete({ prompt, sampling: { ...greedy, maxTokens: 200 } }),
                    client.tokenProbabilities({ prompt: prompt.repeat(20), generate: 20 }),
                    // Without the addon (not built here), attention is one of the runtime's states, not a failure.
                    client.attention({ prompt: prompt.repeat(10) }).catch((error: unknown) => {
                        if (!(error instanceof AddonUnavailableError)) throw error;
                    }),
                ]);
                rounds++;
            }
            assert.deepEqual(stops, []);
            assert.equal(client.hostPid, pid, 'the same host served every request');
        } finally {
            bound.seconds = 30;
            unsubscribe();
        }
    });

    test('SIGSTOP mid-generation: every pending request fails with RuntimeNotRespondingError within the bound, the host is killed, the next request starts a new one', async () => {
        const expected = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 8 } });
        const plain = (await client.tokenize(' the')).at(-1)!;
        const pid = client.hostPid!;
        const stops: string[] = [];
        const unsubscribe = client.onDidStop(reason => stops.push(reason));
        bound.seconds = 2;
        let stoppedAt = 0;
        try {
            // Endless generation (one token forced, no end): stopped at its first tokens.
            const pending = client.complete(
                { prompt, sampling: { maxTokens: 100_000, logitBias: { [plain]: Infinity } } },
                { onToken: () => { if (stoppedAt === 0) { stoppedAt = performance.now(); process.kill(pid, 'SIGSTOP'); } } },
            );
            const queued = client.complete({ prompt, sampling: { maxTokens: 4 } });
            await assert.rejects(pending, (error: unknown) => {
                assert.ok(error instanceof RuntimeNotRespondingError, String(error));
                assert.ok(error instanceof RuntimeStoppedError, 'handled wherever a crashed host is');
                assert.equal(error.seconds, 2);
                assert.match(error.message, /^runtime not responding for 2 s: .*promptscope\.runtime\.responseTimeoutSeconds.*--runtime-timeout/);
                return true;
            });
            const seconds = (performance.now() - stoppedAt) / 1000;
            assert.ok(seconds >= 1.5 && seconds < 2 + slackSeconds, `reported ${seconds.toFixed(1)} s after SIGSTOP`);
            await assert.rejects(queued, RuntimeNotRespondingError);
            assert.equal(client.hostPid, undefined);

            // SIGKILL ends a stopped process too.
            for (let waited = 0; exists(pid) && waited < 5000; waited += 50) await wait(50);
            assert.ok(!exists(pid), `host ${pid} is gone`);
            assert.deepEqual(stops, ['not responding for 2 s']);

            const after = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 8 } });
            assert.equal(after.text, expected.text, 'the new host reloaded the model');
            assert.notEqual(client.hostPid, pid);
            assert.equal(client.state, 'ready');
        } finally {
            resume(pid);
            bound.seconds = 30;
            unsubscribe();
        }
    });

    test('a bound of 0 turns the check off: a stopped host is waited for, and answers once continued', async () => {
        await client.tokenize('x');
        const pid = client.hostPid!;
        bound.seconds = 0;
        try {
            process.kill(pid, 'SIGSTOP');
            let settled = false;
            const pending = client.tokenize('hello').finally(() => { settled = true; });
            await wait(3000);
            assert.equal(settled, false, 'still waiting for the stopped host');
            process.kill(pid, 'SIGCONT');
            assert.ok((await pending).length > 0);
            assert.equal(client.hostPid, pid);
        } finally {
            resume(pid);
            bound.seconds = 30;
        }
    });

    test('a host whose event loop is blocked is reported and killed like a stopped one', async () => {
        // A stand-in host that starts normally and then blocks its main thread on the first request.
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-blocked-'));
        const script = join(dir, 'blocked-host.js');
        writeFileSync(script, `
            process.send({ type: 'ready', pid: process.pid });
            process.on('message', message => {
                if (message.type === 'ping') process.send({ type: 'pong', seq: message.seq });
                else for (;;);
            });
        `);
        const { client: blocked, bound: blockedBound } = liveClient({ hostScript: script });
        blockedBound.seconds = 1;
        try {
            const started = performance.now();
            await assert.rejects(blocked.tokenize('x'), (error: unknown) => error instanceof RuntimeNotRespondingError && error.seconds === 1);
            const seconds = (performance.now() - started) / 1000;
            assert.ok(seconds < 1 + slackSeconds, `reported after ${seconds.toFixed(1)} s`);
        } finally {
            await blocked.dispose();
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('an error that escapes the host: a rejection nothing waits on is logged and the host keeps serving; an exception ends it with its reason, and the next request starts a new host', async () => {
        // A stand-in host with the real host's handlers (src/runtime/host/escapedErrors.ts, loaded through the tsx
        // this test runs under): the runtime's own escapes (node-llama-cpp's downloader) need a broken server, which
        // test/cli/runtime-liveness.test.ts sets up.
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-escaping-'));
        const script = join(dir, 'escaping-host.ts');
        writeFileSync(script, `
            import { handleEscapedErrors } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'runtime', 'host', 'escapedErrors.ts'))};
            const send = (message: object) => process.send!(message);
            handleEscapedErrors((level, message) => send({ type: 'log', level, source: 'runtime', message }));
            process.on('message', (message: { type: string; id: number; seq: number; params: { text: string } }) => {
                if (message.type === 'ping') send({ type: 'pong', seq: message.seq });
                else if (message.params.text === 'reject') {
                    void Promise.reject(new RangeError('a stream failed with nobody listening'));
                    send({ type: 'response', id: message.id, result: [process.pid] });
                } else {
                    setImmediate(() => { throw new TypeError('thrown out of a callback'); });
                }
            });
            send({ type: 'ready', pid: process.pid });
        `);
        const { client: escaping, log } = liveClient({ hostScript: script });
        const stops: string[] = [];
        escaping.onDidStop(reason => stops.push(reason));
        try {
            const [pid] = await escaping.tokenize('reject');
            for (let waited = 0; !log.some(line => line.level === 'error') && waited < 5000; waited += 50) await wait(50);
            assert.ok(log.some(line => line.level === 'error' && /^A promise rejected with nothing waiting for it; the runtime keeps running: RangeError: a stream failed with nobody listening/.test(line.message)),
                JSON.stringify(log));
            assert.deepEqual(await escaping.tokenize('reject'), [pid], 'the same host answers again');

            await assert.rejects(escaping.tokenize('throw'), (error: unknown) => {
                assert.ok(error instanceof RuntimeStoppedError, String(error));
                assert.equal(error.reason, 'exited with code 1 (uncaught error in the runtime host: TypeError: thrown out of a callback)');
                return true;
            });
            assert.deepEqual(stops, ['exited with code 1 (uncaught error in the runtime host: TypeError: thrown out of a callback)']);
            const [next] = await escaping.tokenize('reject');
            assert.notEqual(next, pid, 'a new host');
        } finally {
            await escaping.dispose();
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
