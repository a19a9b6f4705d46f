// How the runtime tests compare the runtime's numbers with the reference forward pass (test/support/referenceModel).
import assert from 'node:assert/strict';
import { attentionAt, toNestedArrays } from '../../src/core/attention/attentionWeights';
import type { AttentionResult, TokenProbabilitiesResult } from '../../src/shared/runtimeApi';
import type { ReferenceModel } from './referenceModel';

export interface ProbabilityDifferences {
    logprob: number;
    entropy: number;
    top: number;
    /** Float16 steps of llama.cpp's CPU GELU table it took to explain differences beyond the tolerance (Gemma families). */
    floatSteps?: number;
}

/**
 * Largest differences between the runtime's probabilities and the reference's, over every scored position. With a
 * `tolerance`, differences beyond it that float16 steps of llama.cpp's CPU GELU table explain, token by token, are
 * left out (reference/floatSteps.ts: only families with GELU, on the CPU).
 */
export function compareProbabilities(result: TokenProbabilitiesResult, reference: ReferenceModel, topK: number, tolerance?: number): ProbabilityDifferences {
    const ids = result.tokens.map(t => t.id);
    const { logprobs } = reference.forward(ids);
    const worst: ProbabilityDifferences = { logprob: 0, entropy: 0, top: 0 };
    assert.equal(result.tokens[0]!.logprob, null);
    for (const row of result.tokens.slice(1)) {
        const expected = logprobs[row.index - 1]!;
        worst.logprob = Math.max(worst.logprob, Math.abs(row.logprob! - expected[row.id]!));
        let entropy = 0;
        for (const lp of expected) entropy -= Math.exp(lp) * lp;
        worst.entropy = Math.max(worst.entropy, Math.abs(row.entropy! - entropy));
        const order = Array.from(expected.keys()).sort((a, b) => expected[b]! - expected[a]!).slice(0, topK);
        assert.equal(row.top.length, topK);
        row.top.forEach((alt, rank) => {
            // Near-ties may swap places within the tolerance: compare each listed token with its own reference value,
            // and the rank's value with the reference's value at that rank.
            worst.top = Math.max(worst.top, Math.abs(alt.logprob - expected[alt.id]!), Math.abs(alt.logprob - expected[order[rank]!]!));
        });
    }
    if (tolerance !== undefined && Math.max(worst.logprob, worst.entropy, worst.top) > tolerance) {
        const observed = result.tokens.slice(1).map(row => ({
            position: row.index - 1,
            ids: [row.id, ...row.top.map(alt => alt.id)],
            logprobs: [row.logprob!, ...row.top.map(alt => alt.logprob)],
            entropy: row.entropy!,
        }));
        const explained = reference.explainByFloatSteps(ids, observed, tolerance);
        if (explained.steps > 0) return { logprob: explained.worst, entropy: explained.worst, top: explained.worst, floatSteps: explained.steps };
    }
    return worst;
}

/** Checks the attention result's structure and returns the largest difference from the reference's weights. */
export function compareAttention(result: AttentionResult, reference: ReferenceModel): number {
    const T = result.tokens.length;
    const { attention } = reference.forward(result.tokens.map(t => t.id));
    assert.equal(result.heads, reference.heads);
    assert.equal(result.kvHeads, reference.kvHeads);
    // The runtime ships one flat Float32Array of lower triangles per [layerSlot][head]; read it as nested rows. The
    // keys after each query are not shipped: the addon checks that llama.cpp gave them no weight (else it fails).
    assert.ok(result.attention instanceof Float32Array, 'attention crosses the IPC as a Float32Array');
    assert.equal(result.attention.length, result.layers.length * result.heads * T * (T + 1) / 2);
    const nested = toNestedArrays(result);
    assert.equal(nested.length, result.layers.length);
    let worst = 0;
    nested.forEach((layer, slot) => {
        assert.equal(layer.length, result.heads);
        layer.forEach((rows, head) => {
            assert.equal(rows.length, T);
            rows.forEach((row, query) => {
                assert.equal(row.length, T);
                const sum = row.reduce((s, v) => s + v, 0);
                assert.ok(Math.abs(sum - 1) <= 1e-5, `layer ${result.layers[slot]} head ${head} query ${query} sums to ${sum}`);
                for (let key = query + 1; key < T; key++) assert.equal(row[key], 0, `causal: key ${key} after query ${query}`);
                const expected = attention[result.layers[slot]!]![head]![query]!;
                for (let key = 0; key <= query; key++) worst = Math.max(worst, Math.abs(row[key]! - expected[key]!));
                assert.equal(attentionAt(result, slot, head, query, query), row[query]);
            });
        });
    });
    return worst;
}
