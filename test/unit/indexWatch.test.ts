// The editor's index watcher, its pure parts: the debouncer that turns a burst of file events into one update and
// never runs two at once (a trigger during a run gets one more run after it; dispose aborts), and the per-index lock
// that keeps the command's build and the watcher's from writing the same index together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedLock } from '../../src/vscode/retrieval/KeyedLock';
import { SerialDebouncer, type DebounceTimers } from '../../src/vscode/retrieval/SerialDebouncer';

/** Timers advanced by hand. */
function fakeTimers(): DebounceTimers & { advance(ms: number): void; pending(): number } {
    let now = 0;
    let next = 0;
    const due = new Map<number, { at: number; callback: () => void }>();
    return {
        set(callback, ms) {
            const id = next++;
            due.set(id, { at: now + ms, callback });
            return id;
        },
        clear(handle) {
            due.delete(handle as number);
        },
        advance(ms) {
            now += ms;
            for (const [id, timer] of [...due].sort((a, b) => a[1].at - b[1].at)) {
                if (timer.at > now) continue;
                due.delete(id);
                timer.callback();
            }
        },
        pending: () => due.size,
    };
}

/** A task whose runs end when the test says. */
function controllableTask() {
    const runs: { signal: AbortSignal; finish: () => void }[] = [];
    const task = (signal: AbortSignal) => new Promise<void>(resolve => runs.push({ signal, finish: resolve }));
    return { runs, task };
}

const settle = () => new Promise(resolve => setImmediate(resolve));

test('a burst of triggers is one run, a quiet period after the last', () => {
    const timers = fakeTimers();
    const { runs, task } = controllableTask();
    const debouncer = new SerialDebouncer(task, { delayMs: 1000, timers });
    debouncer.trigger();
    timers.advance(600);
    debouncer.trigger();
    timers.advance(600);
    debouncer.trigger();
    timers.advance(999);
    assert.equal(runs.length, 0, 'still within the quiet period of the last trigger');
    assert.equal(debouncer.busy, true);
    timers.advance(1);
    assert.equal(runs.length, 1);
    debouncer.dispose();
});

test('a trigger during a run gets exactly one more run after it, never two at once', async () => {
    const timers = fakeTimers();
    const { runs, task } = controllableTask();
    let concurrent = 0;
    let most = 0;
    const debouncer = new SerialDebouncer(async signal => {
        concurrent++;
        most = Math.max(most, concurrent);
        try {
            await task(signal);
        } finally {
            concurrent--;
        }
    }, { delayMs: 100, timers });
    debouncer.trigger();
    timers.advance(100);
    assert.equal(runs.length, 1);
    // Three changes while it runs, each past its quiet period: they wait for the run, then make one more.
    for (let i = 0; i < 3; i++) {
        debouncer.trigger();
        timers.advance(100);
    }
    assert.equal(runs.length, 1, 'no second run while the first goes on');
    runs[0]!.finish();
    await settle();
    assert.equal(runs.length, 2, 'one more run for the changes made during the first');
    runs[1]!.finish();
    await settle();
    assert.equal(runs.length, 2);
    assert.equal(most, 1);
    assert.equal(debouncer.busy, false);
});

test('a trigger still in its quiet period when a run ends waits for it, not an extra run', async () => {
    const timers = fakeTimers();
    const { runs, task } = controllableTask();
    const debouncer = new SerialDebouncer(task, { delayMs: 100, timers });
    debouncer.trigger();
    timers.advance(100);
    debouncer.trigger();
    timers.advance(100);
    debouncer.trigger();
    timers.advance(50);
    runs[0]!.finish();
    await settle();
    assert.equal(runs.length, 1, 'the newest trigger is still quiet');
    timers.advance(50);
    assert.equal(runs.length, 2);
    runs[1]!.finish();
    await settle();
    assert.equal(runs.length, 2);
});

test('a failing run is reported and the debouncer goes on; dispose aborts the run and cancels what waits', async () => {
    const timers = fakeTimers();
    const errors: unknown[] = [];
    let signal: AbortSignal | undefined;
    let calls = 0;
    const debouncer = new SerialDebouncer(async s => {
        calls++;
        signal = s;
        if (calls === 1) throw new Error('embedding failed');
        await new Promise<void>(resolve => s.addEventListener('abort', () => resolve()));
    }, { delayMs: 10, timers, onError: error => errors.push(error) });
    debouncer.trigger();
    timers.advance(10);
    await settle();
    assert.equal((errors[0] as Error).message, 'embedding failed');
    debouncer.trigger();
    timers.advance(10);
    assert.equal(calls, 2);
    debouncer.trigger();
    debouncer.dispose();
    assert.equal(signal?.aborted, true);
    assert.equal(timers.pending(), 0);
    await settle();
    debouncer.trigger();
    timers.advance(10);
    assert.equal(calls, 2, 'nothing runs after dispose');
});

test('the keyed lock runs one task per key at a time, in order, whatever the earlier ones did', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let release!: () => void;
    const first = lock.run('a', () => new Promise<void>(resolve => { order.push('a1 start'); release = () => { order.push('a1 end'); resolve(); }; }));
    const failing = lock.run('a', async () => { order.push('a2'); throw new Error('a2 failed'); });
    const third = lock.run('a', async () => { order.push('a3'); return 3; });
    const other = lock.run('b', async () => { order.push('b1'); });
    await other;
    assert.equal(lock.held('a'), true);
    assert.deepEqual(order, ['a1 start', 'b1']);
    release();
    await first;
    await assert.rejects(failing, /a2 failed/);
    assert.equal(await third, 3);
    assert.deepEqual(order, ['a1 start', 'b1', 'a1 end', 'a2', 'a3']);
    await settle();
    assert.equal(lock.held('a'), false);
});
