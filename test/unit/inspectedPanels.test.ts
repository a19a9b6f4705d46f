// Panels of an inspected run (the playground's last run, given as a request): Recompute is offered while the panel
// lives, and a panel restored after a reload, whose request is gone, no longer claims it can recompute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoredState as restoredAttention } from '../../src/core/panels/attention/restoredState';
import { restoredState as restoredProbabilities } from '../../src/core/panels/tokenProbabilities/restoredState';

test('a restored probabilities panel of an inspected run keeps its report but not the inspected flag', () => {
    const report = { model: 'm', tokens: [], promptPerplexity: null, exact: true };
    const state = restoredProbabilities({ panel: { title: 'playground run 2', inspected: true, phase: 'done', report, branches: [] } });
    assert.equal(state.inspected, undefined);
    assert.equal(state.phase, 'done');
    assert.deepEqual(state.report, report);
    assert.equal(state.title, 'playground run 2');
});

test('a restored attention panel of an inspected run keeps its state but not the inspected flag', () => {
    const done = restoredAttention({ panel: { title: 'playground run 2', inspected: true, phase: 'done' } });
    assert.equal(done.inspected, undefined);
    assert.equal(done.phase, 'done');
    const interrupted = restoredAttention({ panel: { title: 'playground run 2', inspected: true, phase: 'computing', pendingLayer: 1 } });
    assert.equal(interrupted.inspected, undefined);
    assert.equal(interrupted.phase, 'failed');
    assert.equal(interrupted.pendingLayer, undefined);
});
