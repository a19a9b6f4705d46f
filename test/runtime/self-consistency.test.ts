// The reasoning strategies end to end, on the real runtime (chat and chatMany on the fixture model): core's
// self-consistency runner, and runStrategy, the one path `promptscope run` and the editor's Run take (strategy,
// per-request adapters, streaming, run history). The fixture's answers are noise, so grammars make every answer votable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { chatPathGenerator } from '../../src/core/reasoning/chatPathGenerator';
import { extractLastNumber } from '../../src/core/reasoning/extractAnswer';
import { RunHistory } from '../../src/core/reasoning/history/RunHistory';
import { majorityVote } from '../../src/core/reasoning/majorityVote';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import { runStrategy, type RunRecording } from '../../src/core/reasoning/runStrategy';
import { runSelfConsistency } from '../../src/core/reasoning/selfConsistency';
import { zeroShotCotDefaults } from '../../src/core/reasoning/zeroShotCot';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { ModelInfo } from '../../src/shared/runtimeApi';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { greedy, newClient } from './helpers';

let client: RuntimeClient;
let model: ModelInfo;
let dir: string;

before(async () => {
    ({ client } = newClient());
    model = await client.loadModel({ model: await fixtureModelPath(), gpu: 'off', threads: 1 });
    dir = mkdtempSync(join(tmpdir(), 'promptscope-strategies-'));
});

after(async () => {
    await client.dispose();
    rmSync(dir, { recursive: true, force: true });
});

const request = {
    messages: [{ role: 'user' as const, text: 'What is 1 + 2? Think, then answer.' }],
    sampling: { maxTokens: 24, grammar: 'root ::= [a-z ]{0,12} "The answer is " [1-4] "."' },
};

/** A prompt as the CLI and the editor hand it to the strategies. */
function promptRun(fields: Partial<PromptRun> = {}): PromptRun {
    return { file: join(dir, 'sum.prompt'), messages: request.messages, sampling: request.sampling, lora: [], settings: {}, promptHash: 'f'.repeat(64), ...fields };
}

function recording(history: RunHistory | undefined): RunRecording {
    return { command: 'vscode-run', history, input: { question: 'sum' }, model, modelLora: [] };
}

function historyLines(history: RunHistory): Record<string, unknown>[] {
    return readFileSync(history.path, 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
}

test('N paths sampled in one batch, extracted, normalised and voted; the same seed gives the same vote', async () => {
    const generator = chatPathGenerator(client, request);
    const result = await runSelfConsistency(generator, { samples: 8, temperature: 1, seed: 11 });
    assert.equal(result.paths.length, 8);
    for (const path of result.paths) {
        assert.match(path.text, /The answer is [1-4]\.$/);
        assert.equal(path.rawAnswer, extractLastNumber(path.text));
        assert.equal(path.answer, path.rawAnswer);
        assert.ok(path.meanLogprob! <= 0);
    }
    assert.equal(result.unmapped, 0);
    const expected = majorityVote(result.paths.map(p => ({ answer: p.answer })));
    assert.equal(result.answer, expected.winner);
    assert.deepEqual(result.votes, expected.votes);
    assert.equal(Object.values(result.votes).reduce((a, b) => a + b, 0), 8);
    assert.equal(result.agreement, result.votes[result.answer!]! / 8);
    assert.equal(result.paths[0]!.seed, 11);

    const again = await runSelfConsistency(generator, { samples: 8, temperature: 1, seed: 11 });
    assert.deepEqual(again.paths.map(p => p.text), result.paths.map(p => p.text));
    assert.deepEqual(again.votes, result.votes);
    assert.equal(again.answer, result.answer);

    const weighted = await runSelfConsistency(generator, { samples: 8, temperature: 1, seed: 11, weighting: 'probability' });
    assert.deepEqual(weighted.paths.map(p => p.text), result.paths.map(p => p.text));
    assert.equal(weighted.vote.weighting, 'probability');
});

test('runStrategy self-consistency: the prompt\'s samples, the vote, and one history line with the strategy and votes', async () => {
    const history = new RunHistory(join(dir, 'sc.jsonl'));
    const run = promptRun({ settings: { strategy: 'self-consistency', samples: 4 } });
    const outcome = await runStrategy(client, run, { strategy: 'self-consistency', flags: {}, seed: 5 }, recording(history));
    assert.equal(outcome.paths?.length, 4);
    for (const path of outcome.paths!) assert.equal(path.answer, extractLastNumber(path.text));
    const vote = majorityVote(outcome.paths!.map(p => ({ answer: p.answer })));
    assert.equal(outcome.answer, vote.winner);
    assert.deepEqual(outcome.votes, vote.votes);
    assert.equal(outcome.seed, 5);
    assert.ok(outcome.tokens.generated > 0);

    const [line, ...more] = historyLines(history);
    assert.equal(more.length, 0);
    assert.equal(line!.command, 'vscode-run');
    assert.equal(line!.strategy, 'self-consistency');
    assert.equal(line!.answer, outcome.answer ?? null);
    assert.deepEqual(line!.votes, outcome.votes);
    assert.equal(line!.seed, 5);
    assert.deepEqual(line!.input, { question: 'sum' });
    assert.deepEqual(line!.outputs, outcome.paths!.map(p => p.text));
    assert.match((line!.model as { hash: string }).hash, /^sha256-edges:[0-9a-f]{64}$/);
});

test('runStrategy cot: the reasoning turn runs free, the answer turn under the grammar; both stream', async () => {
    const streamed: string[] = ['', ''];
    const run = promptRun({ sampling: { ...greedy, maxTokens: 12, grammar: 'root ::= " " [1-4] "."' } });
    const outcome = await runStrategy(client, run, {
        strategy: 'cot', flags: {}, onToken: (chunk, generation) => { streamed[generation] += chunk.text; },
    }, recording(undefined));
    assert.equal(outcome.outputs.length, 2);
    assert.deepEqual(streamed, outcome.outputs, 'each turn streamed under its own generation index');
    assert.doesNotMatch(outcome.outputs[0]!, /^ [1-4]\.$/, 'the reasoning is not shaped by the answer grammar');
    assert.match(outcome.outputs[1]!, /^ [1-4]\.$/);
    assert.equal(outcome.reasoning, outcome.outputs[0]!.trim());
    assert.equal(outcome.rawAnswer, extractLastNumber(outcome.outputs[1]!));
    assert.equal(outcome.answer, outcome.rawAnswer);
    assert.equal(outcome.messages[0]!.at(-1)!.text, zeroShotCotDefaults.reasoningTrigger);
    assert.ok(outcome.messages[1]!.at(-1)!.text.endsWith(zeroShotCotDefaults.answerTrigger));
    assert.ok(outcome.stopReason !== undefined && outcome.stopReason !== 'aborted');
});

test('runStrategy sends the prompt\'s adapters per request with adapters: prompt, and records them', async () => {
    const adapter = await fixtureLoraPath();
    const history = new RunHistory(join(dir, 'lora.jsonl'));
    const run = promptRun({ messages: [{ role: 'user', text: LORA_TEST_PROMPT }], sampling: { ...greedy, maxTokens: 2 }, lora: [{ path: adapter, scale: 1 }] });
    const onModel = await runStrategy(client, run, { strategy: 'direct', flags: {} }, recording(history));
    const perRequest = await runStrategy(client, run, { strategy: 'direct', flags: {}, adapters: 'prompt' }, recording(history));
    assert.ok(!onModel.output!.startsWith(LORA_BOOSTED_TOKEN.text), 'adapters: model runs on the model\'s adapters (none)');
    assert.ok(perRequest.output!.startsWith(LORA_BOOSTED_TOKEN.text), `output ${JSON.stringify(perRequest.output)} starts with the boosted token`);
    assert.deepEqual(client.loadedModel?.lora, [], 'the shared model keeps its own adapters');
    const [first, second] = historyLines(history);
    assert.deepEqual(first!.adapters, []);
    assert.deepEqual(second!.adapters, [{ path: adapter, scale: 1 }]);
    assert.equal(second!.strategy, 'direct');
});
