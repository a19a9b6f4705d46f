import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelDistribution, logSumExp } from '../../src/core/reasoning/labelDistribution';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('surface forms combine by log-sum-exp; probabilities are a softmax over labels', () => {
    const [positive, negative] = labelDistribution({ positive: [Math.log(0.2), Math.log(0.1)], negative: [Math.log(0.1)] });
    close(positive!.logprob, Math.log(0.3));
    close(negative!.logprob, Math.log(0.1));
    close(positive!.probability, 0.75);
    close(negative!.probability, 0.25);
    close(logSumExp([-1000, -1000]), -1000 + Math.log(2));
});

test('contextual calibration divides by the content-free distribution and renormalises', () => {
    const scores = labelDistribution(
        { a: [Math.log(0.6)], b: [Math.log(0.4)] },
        { a: [Math.log(0.8)], b: [Math.log(0.2)] },
    );
    // 0.6/0.8 = 0.75, 0.4/0.2 = 2 → 0.75/2.75, 2/2.75
    close(scores[0]!.probability, 0.75 / 2.75);
    close(scores[1]!.probability, 2 / 2.75);
    close(scores[0]!.uncalibrated!, 0.6);
    assert.throws(() => labelDistribution({}), /at least one label/);
});
