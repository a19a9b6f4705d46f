// The pure parts of the editor's Quantize Model… command and the panel's Compare with model… mode: failure messages
// chosen by the error's class (revived across the runtime channel, as the extension receives them), the progress
// steps, the offered file name, and the KL colour scale and number formats of the comparison view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelFileError, QuantizationError, RuntimeStoppedError, UnsafePathError } from '../../src/shared/errors';
import { restoredState } from '../../src/core/panels/tokenProbabilities/restoredState';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import { describeComparisonFailure, describeQuantizeFailure, FailureAction } from '../../src/vscode/failureMessages';
import { QuantizeProgressTracker } from '../../src/vscode/quantize/quantizeProgress';
import { quantizedFileName } from '../../src/vscode/quantize/quantizedFileName';
import { formatAgreement, formatNats, formatNatsInterval, klColor, klHeat, klLegendStops } from '../../src/webview/tokenProbabilities/klScale';

const revived = (error: Error) => reviveError(serializeError(error));

test('quantize failures are told apart by class, after crossing the runtime channel', () => {
    const refused = describeQuantizeFailure(revived(new QuantizationError('/m/q4.gguf', 'Q8_0', 'requantizing from type q4_0 is disabled', 'Quantize the F16 model.')));
    assert.match(refused.message, /^Promptscope: Cannot quantize \/m\/q4\.gguf to Q8_0: requantizing from type q4_0 is disabled/);
    assert.deepEqual(refused.actions, [FailureAction.showLogs]);
    const unsafe = describeQuantizeFailure(revived(new UnsafePathError('/m/out.gguf', 'the file exists', 'Choose another name.')));
    assert.match(unsafe.message, /^Promptscope: Refusing to write \/m\/out\.gguf: the file exists/);
    assert.deepEqual(unsafe.actions, []);
    assert.deepEqual(describeQuantizeFailure(revived(new ModelFileError('/m/x.gguf', 'not a GGUF file', 'Choose a .gguf file.'))).actions, [FailureAction.showLogs]);
    assert.match(describeQuantizeFailure(new RuntimeStoppedError('killed')).message, /runtime stopped while quantizing \(killed\)/);
    // A message that merely reads like a refusal is not taken for one.
    assert.match(describeQuantizeFailure(new Error('Cannot quantize: requantizing')).message, /^Promptscope: quantizing failed: /);
});

test('a comparison refused for the other model names it and offers no model picker', () => {
    const failure = describeComparisonFailure(revived(new ModelFileError('/m/llama3.gguf', 'it cannot be compared with /m/tiny.gguf: another vocabulary', 'Choose a model of the same vocabulary.')), 'llama3.gguf');
    assert.match(failure.message, /^Promptscope: cannot compare with llama3\.gguf: Cannot use model file \/m\/llama3\.gguf: it cannot be compared/);
    assert.deepEqual(failure.actions, [FailureAction.showLogs]);
});

test('quantize progress counts tensors and only moves the bar forward, to 100%', () => {
    const tracker = new QuantizeProgressTracker();
    const steps = [1, 2, 2, 4].map(done => tracker.update({ phase: 'quantize', fraction: done / 4, tensorsDone: done, tensorsTotal: 4 }));
    assert.deepEqual(steps.map(s => s.message), ['1 of 4 tensors', '2 of 4 tensors', '2 of 4 tensors', '4 of 4 tensors']);
    assert.ok(steps.every(s => s.increment >= 0));
    assert.equal(steps.reduce((sum, s) => sum + s.increment, 0), 100);
    assert.equal(new QuantizeProgressTracker().update({ phase: 'quantize', fraction: 0, tensorsDone: 0, tensorsTotal: 0 }).increment, 0);
});

test('the offered output name is <input name>-<TYPE>.gguf', () => {
    assert.equal(quantizedFileName('tiny.gguf', 'Q4_K_M'), 'tiny-Q4_K_M.gguf');
    assert.equal(quantizedFileName('Model.F16.GGUF', 'Q8_0'), 'Model.F16-Q8_0.gguf');
    assert.equal(quantizedFileName('weights', 'Q4_0'), 'weights-Q4_0.gguf');
});

test('the KL scale is logarithmic between 1e-4 and 1 nat, and the legend spans it', () => {
    assert.equal(klHeat(0), 0);
    assert.equal(klHeat(1e-4), 0);
    assert.ok(Math.abs(klHeat(1e-2) - 0.5) < 1e-12);
    assert.equal(klHeat(1), 1);
    assert.equal(klHeat(50), 1);
    assert.equal(klHeat(Number.NaN), 1);
    assert.notEqual(klColor(1e-3), klColor(1e-1));
    assert.deepEqual(klLegendStops().map(s => s.label), ['1.0e-4 nats', '0.0010 nats', '0.0100 nats', '0.1000 nats', '1.0000 nats+']);
});

test('comparison numbers: nats with small values in two digits, intervals, agreement with counts', () => {
    assert.equal(formatNats(0.01234), '0.0123 nats');
    assert.equal(formatNats(4.2e-5), '4.2e-5 nats');
    assert.equal(formatNats(-0.5), '-0.5000 nats');
    assert.equal(formatNats(Number.NaN), '–');
    assert.equal(formatNatsInterval({ estimate: 0.02, low: 0.01, high: 0.03 }), '0.0200 nats (95% CI 0.0100 to 0.0300)');
    assert.equal(formatNatsInterval({ estimate: 0.02, low: Number.NaN, high: Number.NaN }), '0.0200 nats');
    assert.equal(formatAgreement({ estimate: 0.975, low: 0.871, high: 0.996, agreeing: 39 }, 40), '97.5% (39 of 40; 95% CI 87.1% to 99.6%)');
});

test('a comparison that a reload interrupted is restored as failed, a finished one as it was', () => {
    const panel = { title: 'hello.prompt', phase: 'done' as const, branches: [] };
    const interrupted = restoredState({ panel: { ...panel, comparison: { phase: 'computing', other: '/m/q8.gguf' } }, metric: 'probability' });
    assert.equal(interrupted.comparison?.phase, 'failed');
    assert.match(interrupted.comparison?.message ?? '', /interrupted by a reload/);
    assert.equal(interrupted.comparison?.other, '/m/q8.gguf');
    const failed = { phase: 'failed', other: '/m/llama3.gguf', message: 'another vocabulary' };
    assert.deepEqual(restoredState({ panel: { ...panel, comparison: failed }, metric: 'probability' }).comparison, failed);
    assert.equal(restoredState({ panel, metric: 'probability' }).comparison, undefined);
});
