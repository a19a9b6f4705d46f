// The paths of completeMany really decode together: after the shared prompt, every llama.cpp decode holds one token
// of every live path (sampleManyPaths steps them in lockstep), instead of stragglers riding in extra, smaller batches.
// Counts node-llama-cpp's decodes through its internal addon context (test-only; node-llama-cpp is pinned).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlamaEngine } from '../../src/runtime/engine/LlamaEngine';
import { fixtureModelPath } from '../support/fixtures';

let engine: LlamaEngine;
let eos: number | undefined;

before(async () => {
    engine = new LlamaEngine({});
    eos = (await engine.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 })).eosToken;
});

after(async () => {
    await engine.dispose();
});

/** Batch sizes of every decode of the sample-paths contexts while `work` runs. */
async function decodeSizes(work: () => Promise<unknown>): Promise<number[]> {
    const registry = (engine as unknown as { loaded: { contexts: { contexts: Map<string, Promise<{ key: string; context: { _ctx: object } }>> } } }).loaded.contexts;
    const sizes: number[] = [];
    const restore: (() => void)[] = [];
    for (const entry of registry.contexts.values()) {
        const managed = await entry;
        if (!managed.key.includes('sample-paths')) continue;
        const addon = managed.context._ctx as Record<string, (...args: unknown[]) => unknown>;
        let pending = 0;
        managed.context._ctx = new Proxy(addon, {
            get(target, property: string) {
                const value = target[property];
                if (typeof value !== 'function') return value;
                if (property === 'addToBatch') return (...args: unknown[]) => { pending += (args[2] as Uint32Array).length; return value.apply(target, args); };
                if (property === 'decodeBatch') return (...args: unknown[]) => { sizes.push(pending); pending = 0; return value.apply(target, args); };
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
    return sizes;
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
