// The paths of completeMany really decode together: after the shared prompt, every llama.cpp decode holds one token
// of every live path (sampleManyPaths steps them in lockstep), instead of stragglers riding in extra, smaller batches.
// Counts node-llama-cpp's decodes through its internal addon context (test-only; node-llama-cpp is pinned).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlamaEngine } from '../../src/runtime/host/engine/LlamaEngine';
import { unifyMultiSequenceKv } from '../../src/runtime/host/engine/llamaExtrasAddon';
import { fixtureModelPath } from '../support/fixtures';

// These tests count node-llama-cpp's own decodes: its loop must run (the addon's multi-sequence loop is tested, one
// decode per step included, in native-many-paths.test.ts). Read when the engine creates its contexts.
process.env.PROMPTSCOPE_DECODE_LOOP = 'node-llama-cpp';

let engine: LlamaEngine;
let eos: number | undefined;
const llamaLog: string[] = [];

before(async () => {
    engine = new LlamaEngine({ log: (_level, message, source) => { if (source === 'llama.cpp') llamaLog.push(message); } });
    eos = (await engine.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 })).eosToken;
});

after(async () => {
    await engine.dispose();
});

/** Batch sizes of every decode of the sample-paths contexts while `work` runs. */
async function decodeSizes(work: () => Promise<unknown>): Promise<number[]> {
    return (await decodeBatches(work)).map(batch => batch.length);
}

/** The sequence id of every token of every decode of the sample-paths contexts while `work` runs, in batch order. */
async function decodeBatches(work: () => Promise<unknown>): Promise<number[][]> {
    const registry = (engine as unknown as { loaded: { contexts: { contexts: Map<string, Promise<{ key: string; context: { _ctx: object } }>> } } }).loaded.contexts;
    const batches: number[][] = [];
    const restore: (() => void)[] = [];
    for (const entry of registry.contexts.values()) {
        const managed = await entry;
        if (!managed.key.includes('sample-paths')) continue;
        const addon = managed.context._ctx as Record<string, (...args: unknown[]) => unknown>;
        let pending: number[] = [];
        managed.context._ctx = new Proxy(addon, {
            get(target, property: string) {
                const value = target[property];
                if (typeof value !== 'function') return value;
                if (property === 'addToBatch') return (...args: unknown[]) => { pending.push(...new Array<number>((args[2] as Uint32Array).length).fill(args[0] as number)); return value.apply(target, args); };
                if (property === 'decodeBatch') return (...args: unknown[]) => { batches.push(pending); pending = []; return value.apply(target, args); };
                return value.bind(target);
            },
        });
        restore.push(() => { managed.context._ctx = addon; });
    }
    try {
        await work();
    } finally {
        for (const undo of restore) undo();
    }
    return batches;
}

test('8 paths × 24 tokens: one decode per step, each with one token of every path', async () => {
    const sampling = { temperature: 0.9, repeatPenalty: 1, seed: 3, maxTokens: 24, ...(eos !== undefined ? { logitBias: { [eos]: 'ban' as const } } : {}) };
    // Creates the 8-sequence context, so the next request's decodes can be counted.
    await engine.completeMany({ prompt: 'Warm up the context', n: 8, sampling: { ...sampling, maxTokens: 2 } });
    let paths: number[] = [];
    const sizes = await decodeSizes(async () => {
        const result = await engine.completeMany({ prompt: 'The river ran past the old stone mill and the', n: 8, sampling });
        paths = result.paths.map(p => p.tokens.length);
    });
    assert.deepEqual(paths, new Array(8).fill(24));
    // The shared prompt (all but its last token) first, then 24 steps: the last prompt token of every path with its
    // first sample, then 23 generated tokens of every path.
    const steps = sizes.slice(1);
    assert.equal(steps.length, 24, `decodes: ${sizes.join(', ')}`);
    assert.ok(steps.every(size => size === 8), `decodes: ${sizes.join(', ')}`);
});

// The context keeps one KV stream per sequence, and llama.cpp then puts into one micro-batch only sequences of
// consecutive increasing ids: tokens queued in another order are decoded one graph per path (measured 3× slower steps
// on the 100m fixture). The sequence pool hands back the last released sequence first, so every other request used to
// queue its paths in reverse.
test('paths queue their tokens in increasing sequence id, request after request', async () => {
    const sampling = { temperature: 0.9, repeatPenalty: 1, seed: 5, maxTokens: 6, ...(eos !== undefined ? { logitBias: { [eos]: 'ban' as const } } : {}) };
    await engine.completeMany({ prompt: 'Warm up the context', n: 8, sampling: { ...sampling, maxTokens: 2 } });
    for (const prompt of ['First request of the pair', 'Second request, after the pool turned over']) {
        const batches = await decodeBatches(() => engine.completeMany({ prompt, n: 8, sampling }));
        const steps = batches.slice(1);
        assert.equal(steps.length, 6, `decodes: ${JSON.stringify(batches)}`);
        for (const ids of steps) {
            assert.equal(ids.length, 8);
            assert.ok(ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1), `${prompt}: sequence ids in batch order ${ids.join(',')}`);
        }
    }
});

// node-llama-cpp hard-codes one KV stream per sequence; the native addon redirects its context creation so that the
// paths' context has one stream for all (contextHook.cc). llama.cpp prints the setting of every context it creates.
// Like the attention tests: only a machine without a C++ compiler (and so without the addon) may skip.
const noAddon = spawnSync(process.env.CXX || 'g++', ['--version']).status !== 0
    && !existsSync(join(__dirname, '..', '..', 'build', 'native', 'llamaExtras.node'))
    ? 'the native addon is not built and no C++ compiler is here to build it' : false;

test('the paths\' context keeps one KV stream for all its sequences; single-sequence contexts are left alone', { skip: noAddon }, async () => {
    const reason = unifyMultiSequenceKv();
    assert.equal(reason, undefined, `the addon could not unify the KV streams: ${reason}`);
    const from = llamaLog.length;
    await engine.completeMany({ prompt: 'Unified streams', n: 3, sampling: { temperature: 0.9, seed: 1, maxTokens: 2 } });
    const created = llamaLog.slice(from).join('\n');
    assert.match(created, /n_seq_max\s*=\s*3[\s\S]*kv_unified\s*=\s*true/, 'a 3-sequence context with kv_unified = true');
    const registry = (engine as unknown as { loaded: { contexts: { contexts: Map<string, Promise<{ key: string; sharedKv: boolean; config: { sequences: number } }>> } } }).loaded.contexts;
    for (const entry of registry.contexts.values()) {
        const managed = await entry;
        assert.equal(managed.sharedKv, managed.config.sequences > 1, managed.key);
    }
    assert.match(llamaLog.join('\n'), /n_seq_max\s*=\s*1\s[\s\S]*?kv_unified\s*=\s*false/, 'the default context keeps its setting');
});
