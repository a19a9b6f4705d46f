import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadProgressTracker } from '../../src/vscode/loadProgress';

const sum = (steps: { increment: number }[]) => steps.reduce((total, s) => total + s.increment, 0);

test('a load without download fills the whole bar', () => {
    const tracker = new LoadProgressTracker();
    const steps = [0, 0.5, 0.4, 1].map(fraction => tracker.update({ phase: 'load', fraction }));
    assert.deepEqual(steps.map(s => s.message), ['Loading 0%', 'Loading 50%', 'Loading 40%', 'Loading 100%']);
    assert.equal(steps[2]!.increment, 0, 'the bar never moves back');
    assert.equal(sum(steps), 100);
});

test('a download takes most of the bar, then the load the rest', () => {
    const tracker = new LoadProgressTracker();
    const steps = [
        tracker.update({ phase: 'download', fraction: 0.5, downloadedBytes: 50 * 1024 * 1024, totalBytes: 100 * 1024 * 1024 }),
        tracker.update({ phase: 'download', fraction: 1 }),
        tracker.update({ phase: 'load', fraction: 0.5 }),
        tracker.update({ phase: 'load', fraction: 1 }),
    ];
    assert.equal(steps[0]!.message, 'Downloading 50% (50.0 MiB of 100 MiB)');
    assert.equal(steps[0]!.increment, 45);
    assert.equal(steps[1]!.message, 'Downloading 100%');
    assert.equal(steps[2]!.increment, 5);
    assert.equal(sum(steps), 100);
});

test('odd fractions are clamped', () => {
    const tracker = new LoadProgressTracker();
    assert.equal(tracker.update({ phase: 'load', fraction: Number.NaN }).increment, 0);
    assert.equal(tracker.update({ phase: 'load', fraction: 7 }).increment, 100);
});
