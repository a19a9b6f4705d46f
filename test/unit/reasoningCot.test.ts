import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatMessage } from '../../src/core/prompt/chatMessages';
import { extractLastNumber } from '../../src/core/reasoning/extractAnswer';
import { cotAnswerMessages, cotReasoningMessages, runZeroShotCot, zeroShotCotDefaults, type CotTurn } from '../../src/core/reasoning/zeroShotCot';

const question: ChatMessage[] = [{ role: 'system', text: 'Be careful.' }, { role: 'user', text: 'I had 3 apples and bought 2. How many?' }];

test('turn 1 prefills the reply with the reasoning trigger; the input is not modified', () => {
    const messages = cotReasoningMessages(question);
    assert.deepEqual(messages.slice(0, 2), question);
    assert.deepEqual(messages[2], { role: 'model', text: "Let's think step by step." });
    assert.equal(question.length, 2);
});

test('turn 2 carries the reasoning then the answer trigger', () => {
    const messages = cotAnswerMessages(question, ' 3 + 2 = 5. ');
    assert.deepEqual(messages[2], { role: 'model', text: "Let's think step by step. 3 + 2 = 5.\nTherefore, the answer is" });
    const custom = cotAnswerMessages(question, 'x', { reasoningTrigger: 'Think.', answerTrigger: 'Therefore, the answer (arabic numerals) is' });
    assert.equal(custom[2]!.text, 'Think. x\nTherefore, the answer (arabic numerals) is');
});

test('an existing model prefill is kept before the trigger', () => {
    const messages = cotReasoningMessages([...question, { role: 'model', text: 'Sure.' }]);
    assert.equal(messages.length, 3);
    assert.equal(messages[2]!.text, "Sure. Let's think step by step.");
    assert.throws(() => cotReasoningMessages([]), RangeError);
});

test('the runner keeps reasoning and answer apart and extracts from the answer turn only', async () => {
    const seen: ChatMessage[][] = [];
    const turns: CotTurn[] = [];
    const result = await runZeroShotCot(async (messages, turn) => {
        seen.push(messages);
        turns.push(turn);
        return seen.length === 1 ? ' First 3 apples, then 2 more, 10 minutes later: 5. ' : ' 5 apples.';
    }, question, extractLastNumber);
    assert.deepEqual(result, {
        reasoning: 'First 3 apples, then 2 more, 10 minutes later: 5.', answerText: '5 apples.', answer: '5', messages: [seen[0], seen[1]],
    });
    assert.deepEqual(turns, ['reasoning', 'answer']);
    assert.equal(seen[0]![2]!.text, zeroShotCotDefaults.reasoningTrigger);
    assert.ok(seen[1]![2]!.text.endsWith(`10 minutes later: 5.\n${zeroShotCotDefaults.answerTrigger}`));
});
