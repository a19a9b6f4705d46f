// The fault-injection suite (issue 15, README's "Reliability"): every row of the tables in test/cli/faults/ puts the
// built CLI in a hostile or broken situation and checks its exit status, that its message names what is wrong, that
// it printed no stack trace, that it ended in time, and that no file outside the case's work folder changed.
// Needs `node scripts/build.mjs` first. Run: node --import tsx --test --test-concurrency=1 test/cli/faults.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureLoraPath, fixtureModelPath, otherFixtureLoraPath, otherFixtureModelPath } from '../support/fixtures';
import { runFaultCase, type FaultCase, type FaultModels } from '../support/faultHarness';
import { faultTables } from './faults/cases';

let models: FaultModels;
let count = 0;

before(async () => {
    models = {
        model: await fixtureModelPath(),
        lora: await fixtureLoraPath(),
        otherModel: await otherFixtureModelPath(),
        otherLora: await otherFixtureLoraPath(),
    };
});

after(() => {
    console.log(`fault cases: ${count}`);
});

const asList = (patterns: RegExp | RegExp[] | undefined): RegExp[] => patterns === undefined ? [] : Array.isArray(patterns) ? patterns : [patterns];

function check(fault: FaultCase): Promise<void> {
    return runFaultCase(fault, models, async (result, ctx, outsideChanges) => {
        const shown = `exit ${result.code}${result.signal ? ` (${result.signal})` : ''} after ${Math.round(result.ms)} ms\n`
            + `--- stderr:\n${result.stderr.slice(0, 3000)}\n--- stdout:\n${result.stdout.slice(0, 1500)}`;
        assert.ok(!result.timedOut, `the CLI did not end within ${fault.timeoutMs ?? 60_000} ms\n${shown}`);
        assert.deepEqual(outsideChanges, [], `files outside the work folder changed\n${shown}`);
        const codes = Array.isArray(fault.expect.code) ? fault.expect.code : [fault.expect.code];
        assert.ok(result.code !== null && codes.includes(result.code), `exit status: expected ${codes.join(' or ')}\n${shown}`);
        assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace\n${shown}`);
        // Ctrl-C (130) has nothing to explain: the user asked for it.
        if (result.code !== 0 && result.code !== 130) assert.notEqual(result.stderr.trim(), '', `a failure says why on stderr\n${shown}`);
        for (const pattern of asList(fault.expect.stderr)) assert.match(result.stderr, pattern, `stderr\n${shown}`);
        for (const pattern of asList(fault.expect.stdout)) assert.match(result.stdout, pattern, `stdout\n${shown}`);
        for (const pattern of asList(fault.expect.output)) assert.match(result.stdout + result.stderr, pattern, `output\n${shown}`);
        for (const pattern of asList(fault.expect.not)) assert.doesNotMatch(result.stdout + result.stderr, pattern, `output\n${shown}`);
        if (fault.expect.withinMs !== undefined) assert.ok(result.ms <= fault.expect.withinMs, `took ${Math.round(result.ms)} ms, bound ${fault.expect.withinMs} ms\n${shown}`);
        await fault.check?.(result, ctx);
    });
}

for (const [theme, cases] of Object.entries(faultTables)) {
    describe(`faults: ${theme}`, () => {
        for (const fault of cases) {
            count++;
            test(fault.name, { skip: fault.skip?.() ?? false }, () => check(fault));
        }
    });
}
