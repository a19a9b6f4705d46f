// The host is a separate process: when it dies, pending requests fail clearly and the next request recovers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { ModelFileError, NoModelLoadedError, RuntimeStoppedError } from '../../src/shared/errors';
import { fixtureModelPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

const prompt = 'The dog sat on the';

describe('runtime host crashes', () => {
    let client: RuntimeClient;
    let modelPath: string;

    before(async () => {
        modelPath = await fixtureModelPath();
        ({ client } = newClient());
        await client.loadModel({ model: modelPath, gpu: 'off' });
    });

    after(async () => {
        await client.dispose();
    });

    test('SIGKILL mid-generation rejects the pending request; the next request reloads the model and succeeds', async () => {
        const before = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 8 } });
        const plain = (await client.tokenize(' the')).at(-1)!;
        const stops: string[] = [];
        client.onDidStop(reason => stops.push(reason));
        const pid = client.hostPid!;
        assert.ok(pid > 0);

        let killed = false;
        const pending = client.complete(
            { prompt, sampling: { maxTokens: 100_000, logitBias: { [plain]: Infinity } } },
            { onToken: () => { if (!killed) { killed = true; process.kill(pid, 'SIGKILL'); } } },
        );
        // A second generation, waiting for the sequence the first one holds, is rejected too.
        const queued = client.complete({ prompt, sampling: { maxTokens: 4 } });
        await assert.rejects(pending, (error: unknown) => {
            assert.ok(error instanceof RuntimeStoppedError);
            assert.equal(error.message, 'runtime stopped: killed by SIGKILL');
            return true;
        });
        await assert.rejects(queued, RuntimeStoppedError);
        assert.deepEqual(stops, ['killed by SIGKILL']);
        assert.equal(client.state, 'stopped');
        assert.equal(client.hostPid, undefined);
        assert.equal(client.loadedModel?.path, modelPath, 'the client still knows which model to reload');

        const after = await client.complete({ prompt, sampling: { ...greedy, maxTokens: 8 } });
        assert.equal(after.text, before.text);
        assert.notEqual(client.hostPid, pid);
        assert.equal((await client.modelInfo())?.path, modelPath);
        assert.equal(client.state, 'ready');
    });

    test('stop() ends the host; the client restarts it and reloads the model on the next request', async () => {
        const pid = client.hostPid;
        await client.stop();
        assert.equal(client.state, 'stopped');
        const tokens = await client.tokenize('hello');
        assert.ok(tokens.length > 0);
        assert.notEqual(client.hostPid, pid);
    });

    test('when the reload after a crash fails, the request gets the load error and the new host stays up', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-reload-'));
        const copy = join(dir, 'model.gguf');
        copyFileSync(modelPath, copy);
        const { client: fragile } = newClient();
        try {
            await fragile.loadModel({ model: copy, gpu: 'off' });
            const stopped = new Promise(resolve => fragile.onDidStop(resolve));
            process.kill(fragile.hostPid!, 'SIGKILL');
            await stopped;
            rmSync(copy);
            await assert.rejects(fragile.tokenize('x'), (error: unknown) => error instanceof ModelFileError && error.path === copy);
            assert.equal(fragile.loadedModel, undefined);
            assert.ok(fragile.hostPid, 'the new host is running');
            await assert.rejects(fragile.tokenize('x'), NoModelLoadedError);
        } finally {
            await fragile.dispose();
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('an abort in the host (exit 134 / SIGABRT) is reported with the assertion that caused it', async () => {
        // A stand-in host that dies like llama.cpp does on a GGML_ASSERT: the message on stderr, then abort().
        const dir = mkdtempSync(join(tmpdir(), 'promptscope-abort-'));
        const script = join(dir, 'aborting-host.js');
        writeFileSync(script, `
            process.send({ type: 'ready', pid: process.pid });
            process.on('message', () => {
                process.stderr.write('/llama.cpp/src/llama-model.cpp:2045: GGML_ASSERT(t_meta.ne[dim] >= 1) failed\\n', () => process.abort());
            });
        `);
        const { client: doomed } = newClient({ hostScript: script });
        try {
            const stops: string[] = [];
            doomed.onDidStop(reason => stops.push(reason));
            await assert.rejects(doomed.loadModel({ model: modelPath }), (error: unknown) => {
                assert.ok(error instanceof RuntimeStoppedError);
                assert.match(error.message, /^runtime stopped: (killed by SIGABRT|exited with code 134) \(abort: .*GGML_ASSERT\(t_meta\.ne\[dim\] >= 1\) failed\)$/);
                return true;
            });
            assert.equal(stops.length, 1);
            // A model whose load killed the host is not loaded again automatically.
            assert.equal(doomed.loadedModel, undefined);
        } finally {
            await doomed.dispose();
        }
    });
});
