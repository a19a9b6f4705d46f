// The program-aided sandbox (QuickJS in WebAssembly): what a program may do, and every escape or exhaustion attempt
// ending as a recorded failure while the host stays untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runProgram, type ProgramFailureKind } from '../../src/core/sandbox/runProgram';

test('a program computes and prints; console.log prints too', async () => {
    const run = await runProgram('const a = 347, b = 586;\nprint(a + b);\nconsole.log("sum", a + b, [1, 2]);');
    assert.deepEqual(run.printed, ['933', 'sum 933 [1,2]']);
    assert.equal(run.failure, undefined);
});

test('escape and exhaustion attempts fail safely, each recorded with its kind', async () => {
    const cases: [string, string, ProgramFailureKind, number?][] = [
        ['require', 'require("fs").readFileSync("/etc/passwd")', 'exception'],
        ['process', 'process.exit(1)', 'exception'],
        ['globalThis host objects', 'print(typeof globalThis.process, typeof globalThis.require, typeof fetch, typeof setTimeout); throw new Error("none")', 'exception'],
        ['Function constructor', 'Function("return this")().process.exit()', 'exception'],
        ['infinite loop', 'while (true) {}', 'timeout', 300],
        ['recursion', 'function f() { return f() + 1 } f()', 'resources'],
        ['unbounded allocation', 'const a = []; while (true) a.push(new Array(100000).fill(1))', 'resources'],
        ['huge string', 'let s = "x"; while (true) s += s', 'resources'],
        ['output flood', 'while (true) print("spam spam spam spam")', 'output'],
        ['thrown error', 'throw new TypeError("bad")', 'exception'],
        // Each job queues the next: the queue never empties, and an interrupted job only rejects its promise.
        ['promise-job flood', 'Promise.resolve().then(function f() { return Promise.resolve().then(f) })', 'timeout', 300],
        ['doubling promise-job flood', 'Promise.resolve().then(function f() { Promise.resolve().then(f); Promise.resolve().then(f) })', 'timeout', 300],
        // print writes objects as JSON: their toJSON runs inside the sandbox, under the same limits.
        ['toJSON that loops', 'print({ toJSON() { while (true) {} } })', 'timeout', 300],
        ['toJSON that loops, its interruption caught', 'try { print({ toJSON() { while (true) {} } }) } catch {} print("went on")', 'timeout', 300],
        ['toJSON that throws', 'print({ toJSON() { throw new Error("no JSON") } })', 'exception'],
        ['toJSON that recurses', 'const o = { toJSON() { return JSON.stringify(o) } }; print(o)', 'resources'],
    ];
    for (const [label, code, kind, timeoutMs] of cases) {
        const run = await runProgram(code, { timeoutMs: timeoutMs ?? 2000, memoryBytes: 16 * 1024 * 1024 });
        assert.equal(run.failure?.kind, kind, `${label}: ${JSON.stringify(run.failure)}`);
    }
    // A module import has no loader to reach: it is refused inside, asynchronously.
    const imported = await runProgram('import("fs").then(() => print("escaped"), e => print("refused"))');
    assert.deepEqual(imported.printed, ['refused']);
    // The toJSON's own error is the one recorded, and a program may catch it as it would JSON.stringify's.
    const thrown = await runProgram('print({ toJSON() { throw new Error("no JSON") } })');
    assert.deepEqual([thrown.printed, thrown.failure?.message], [[], 'Error: no JSON']);
    const caught = await runProgram('try { print({ toJSON() { throw new Error("no JSON") } }) } catch (e) { print("caught " + e.message) }');
    assert.deepEqual([caught.printed, caught.failure], [['caught no JSON'], undefined]);
    // Replacing JSON.stringify does not change how print writes objects.
    const replaced = await runProgram('JSON.stringify = () => "forged"; print({ a: 1 }, [1, 2], null, 3)');
    assert.deepEqual(replaced.printed, ['{"a":1} [1,2] null 3']);
    const probe = await runProgram('print(typeof globalThis.process, typeof globalThis.require, typeof fetch, typeof setTimeout)');
    assert.deepEqual(probe.printed, ['undefined undefined undefined undefined']);
});

test('the host is untouched: no prototype pollution through results, the next run starts clean', async () => {
    await runProgram('Object.prototype.polluted = "yes"; Array.prototype.push = null; globalThis.leak = 1; print({}.polluted)');
    assert.equal(({} as { polluted?: string }).polluted, undefined);
    assert.equal(typeof [].push, 'function');
    const next = await runProgram('print(typeof leak, ({}).polluted)');
    assert.deepEqual(next.printed, ['undefined undefined']);
    // A result that is an object arrives as JSON text, never as a live object.
    const objectResult = await runProgram('print({ __proto__: { evil: true }, a: 1 })');
    assert.deepEqual(objectResult.printed, ['{"a":1}']);
});
