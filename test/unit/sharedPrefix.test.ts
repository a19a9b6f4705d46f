import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonPrefixLength, comparablePositions } from '../../src/core/probabilities/sharedPrefix';

test('commonPrefixLength', () => {
    assert.equal(commonPrefixLength([1, 2, 3], [1, 2, 4]), 2);
    assert.equal(commonPrefixLength([1, 2], [1, 2, 3]), 2);
    assert.equal(commonPrefixLength([], [1]), 0);
    assert.equal(commonPrefixLength([5], [6]), 0);
});

test('comparablePositions: only generated positions of A whose whole prefix B shares', () => {
    // Same prompt [1,2], A generated [7,8,9], B generated [7,5]: position 2 (prefix [1,2]) and 3 (prefix [1,2,7]) are
    // comparable; 4's prefix [1,2,7,8] is not B's [1,2,7,5].
    assert.deepEqual(comparablePositions(2, [1, 2, 7, 8, 9], [1, 2, 7, 5]), [2, 3]);
    // Prompt variants that part inside the prompt: nothing generated is comparable.
    assert.deepEqual(comparablePositions(3, [1, 2, 3, 7, 8], [1, 4, 3, 7, 8]), []);
    // A's prompt is a prefix of B's prompt and A's first token is B's next prompt token: that position only.
    assert.deepEqual(comparablePositions(2, [1, 2, 3, 9], [1, 2, 3, 4, 5]), [2, 3]);
    // Identical sequences: every generated position of A.
    assert.deepEqual(comparablePositions(1, [1, 2, 3], [1, 2, 3]), [1, 2]);
    // B shorter than the shared prefix reaches: positions must exist in B.
    assert.deepEqual(comparablePositions(1, [1, 2, 3], [1, 2]), [1]);
});
