// Program-aided reasoning's control flow on scripted models: the instruction added, the program extracted and run in
// the sandbox, its printed result mapped to the answer, failures recorded as unmapped, several programs voting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeStrategy, type StrategyModel } from '../../src/core/reasoning/executeStrategy';
import { extractProgram, programAidedInstruction, programAidedMessages } from '../../src/core/reasoning/programAided';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import { formatOutcome } from '../../src/core/reasoning/outcomeText';

const run = { messages: [{ role: 'user', text: 'What is 347 + 586?' }], sampling: { grammar: 'root ::= "x"' }, settings: {}, lora: [], file: undefined } as unknown as PromptRun;

function scripted(replies: string[]): StrategyModel & { seen: { messages: { text: string }[]; sampling?: object; n?: number }[] } {
    const seen: { messages: { text: string }[]; sampling?: object; n?: number }[] = [];
    const timing = { promptTokens: 10, generatedTokens: 5 };
    return {
        seen,
        async chat(request) {
            seen.push(request);
            return { text: replies.shift()!, seed: 1, stopReason: 'eos', timing };
        },
        async chatMany(request) {
            seen.push(request);
            return { paths: replies.splice(0, request.n).map((text, i) => ({ text, meanLogprob: -1, seed: i })), seed: 1, timing };
        },
    };
}

test('the program is extracted from its fence (or the whole reply) and the instruction goes after the last user turn', () => {
    assert.equal(extractProgram('Here:\n```javascript\nprint(1)\n```\nDone.'), 'print(1)');
    assert.equal(extractProgram('```\nprint(2)\n```'), 'print(2)');
    assert.equal(extractProgram('print(3)'), 'print(3)');
    const messages = programAidedMessages([{ role: 'system', text: 'S' }, { role: 'user', text: 'Q' }]);
    assert.equal(messages[1]!.text, `Q\n\n${programAidedInstruction}`);
    assert.deepEqual(programAidedMessages([{ role: 'model', text: 'A' }]).at(-1), { role: 'user', text: programAidedInstruction });
});

test('one program: its printed result is the answer; the grammar does not constrain the program', async () => {
    const model = scripted(['```js\nconst a = 347, b = 586;\nprint("The answer is", a + b)\n```']);
    const outcome = await executeStrategy(model, run, { strategy: 'program-aided', flags: {} });
    assert.equal(outcome.answer, '933');
    assert.equal(outcome.programs![0]!.code, 'const a = 347, b = 586;\nprint("The answer is", a + b)');
    assert.deepEqual(outcome.programs![0]!.printed, ['The answer is 933']);
    assert.match(model.seen[0]!.messages.at(-1)!.text, /Write a JavaScript program/);
    assert.equal((model.seen[0]!.sampling as { grammar?: string }).grammar, undefined);
    assert.match(formatOutcome(outcome), /── program 1 \(\d+ ms\) → printed "The answer is 933" → 933\n/);
});

test('a program that loops or throws is unmapped, its failure recorded', async () => {
    for (const [reply, kind] of [['```js\nwhile (true) {}\n```', 'timeout'], ['```js\nprint(1); throw new Error("no")\n```', 'exception'], ['', 'exception']] as const) {
        const outcome = await executeStrategy(scripted([reply]), run, { strategy: 'program-aided', flags: {} });
        assert.equal(outcome.answer, undefined, reply);
        assert.equal(outcome.programs![0]!.failure?.kind, kind, reply);
    }
});

test('several programs, sampled in one batch, vote with their results', async () => {
    const model = scripted(['```js\nprint(5)\n```', '```js\nprint(2 + 3)\n```', '```js\nprint(7)\n```', '```js\nwhile(true){}\n```']);
    const outcome = await executeStrategy(model, run, { strategy: 'program-aided', flags: {}, samples: 4 });
    assert.equal(model.seen[0]!.n, 4);
    assert.equal(outcome.answer, '5');
    assert.deepEqual(outcome.votes, { 5: 2, 7: 1 });
    assert.equal(outcome.unmapped, 1);
    assert.match(formatOutcome(outcome), /votes: 5 ×2, 7 ×1; unmapped: 1; agreement 50% of 4 programs/);
});
