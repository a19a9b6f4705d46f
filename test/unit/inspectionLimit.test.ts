import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitOutput } from '../../src/vscode/inspection/limitOutput';
import type { InspectionRequest } from '../../src/vscode/inspection/InspectionRequest';

const request: InspectionRequest = { key: 'playground', title: 'playground run 3', prompt: 'Once', sampling: { seed: 1 }, generated: [5, 6, 7, 8] };

test('a run within the limit is shown whole, its title unchanged', () => {
    assert.equal(limitOutput(request, 4), request);
    assert.equal(limitOutput(request, 100), request);
    assert.equal(limitOutput({ ...request, generated: undefined }, 0).title, 'playground run 3');
});

test('a longer run keeps its first tokens and says how many of how many', () => {
    const cut = limitOutput(request, 2);
    assert.deepEqual(cut.generated, [5, 6]);
    assert.equal(cut.title, 'playground run 3 (first 2 of 4 output tokens)');
    assert.deepEqual(cut.sampling, request.sampling);
    assert.deepEqual(request.generated, [5, 6, 7, 8], 'the last run itself is left as it was');
});

test('no room (a prompt at the limit already, or past it) keeps none', () => {
    assert.deepEqual(limitOutput(request, 0).generated, []);
    assert.deepEqual(limitOutput(request, -20).generated, []);
    assert.equal(limitOutput(request, -20).title, 'playground run 3 (first 0 of 4 output tokens)');
});
