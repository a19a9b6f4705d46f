// Self-ask's control flow on a scripted model: follow-ups asked one at a time and answered on their own, the answers
// given back, the final answer taken after its marker; the follow-up limit; custom markers from promptscope.selfAsk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followUpIn, runSelfAsk, selfAskDefaults } from '../../src/core/reasoning/selfAsk';
import { executeStrategy, type StrategyModel } from '../../src/core/reasoning/executeStrategy';
import { readPromptscopeSettings } from '../../src/core/prompt/settings/readPromptscopeSettings';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import type { ChatMessage } from '../../src/core/prompt/chatMessages';

const question: ChatMessage[] = [{ role: 'user', text: 'Who was president when the inventor of the telephone was born?' }];

test('follow-ups asked and answered, then the final answer', async () => {
    const replies = ['Are follow up questions needed here: Yes.\nFollow up: Who invented the telephone?\n(more text)', 'Follow up: When was Bell born?', 'So the final answer is: Andrew Jackson'];
    const seen: ChatMessage[][] = [];
    const result = await runSelfAsk(async messages => { seen.push(messages); return replies.shift()!; },
        async q => (q.includes('invented') ? 'Alexander Graham Bell' : '1847'), question, { ...selfAskDefaults });
    assert.deepEqual(result.followUps, [{ question: 'Who invented the telephone?', answer: 'Alexander Graham Bell' }, { question: 'When was Bell born?', answer: '1847' }]);
    assert.equal(result.finalText, 'Andrew Jackson');
    // The second turn carries the first follow-up (cut after its question) and its answer.
    assert.deepEqual(seen[1]!.slice(-2), [
        { role: 'model', text: 'Are follow up questions needed here: Yes.\nFollow up: Who invented the telephone?' },
        { role: 'user', text: 'Intermediate answer: Alexander Graham Bell' },
    ]);
    assert.match(seen[0]!.at(-1)!.text, /on a line starting "Follow up:"/);
    assert.equal(result.replies.length, 5);
});

test('at the follow-up limit, or with no follow-up, the final answer is asked for', async () => {
    const replies = ['Follow up: A?', 'Follow up: B?', '42'];
    const result = await runSelfAsk(async () => replies.shift()!, async () => 'x', question, { ...selfAskDefaults, maxFollowUps: 1 });
    assert.equal(result.followUps.length, 1);
    assert.equal(result.finalText, '42');
    assert.equal(result.conversations.at(-1)!.at(-1)!.text, 'So the final answer is:');
    assert.equal(followUpIn('no questions', 'Follow up:'), undefined);
    assert.equal(followUpIn('Follow up:   \n', 'Follow up:'), undefined);
});

test('the strategy: custom markers from the front matter, the answer extracted from the final text', async () => {
    const read = readPromptscopeSettings({ 'promptscope.selfAsk': { followUp: 'Q:', intermediate: 'A:', final: 'Final:', maxFollowUps: 2 } });
    assert.deepEqual(read.issues, []);
    assert.match(readPromptscopeSettings({ 'promptscope.selfAsk': { maxFollowUps: 20 } }).issues[0]!.message, /maxFollowUps must be an integer from 0 to 8; got 20/);
    const run = { messages: [{ role: 'user', text: 'What is (3 + 4) × 2?' }], sampling: {}, settings: read.settings, lora: [], file: undefined } as unknown as PromptRun;
    const replies = ['Q: What is 3 + 4?', '7', 'Final: 14'];
    const model: StrategyModel = {
        async chat() { return { text: replies.shift()!, seed: 1, timing: { promptTokens: 2, generatedTokens: 3 } }; },
        async chatMany() { throw new Error('not used'); },
    };
    const outcome = await executeStrategy(model, run, { strategy: 'self-ask', flags: {} });
    assert.equal(outcome.answer, '14');
    assert.deepEqual(outcome.followUps, [{ question: 'What is 3 + 4?', answer: '7' }]);
    assert.equal(outcome.tokens.generated, 9);
});
