// The execution shared by `promptscope run` and the editor's Run (core's executeStrategy, runStrategy, recordRun,
// outcomeText) and the editor's presentation of it (RunTranscript), on a scripted model that records every request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directOutcome, executeStrategy, handlingFor, type StrategyModel, type StrategyRequest } from '../../src/core/reasoning/executeStrategy';
import { RunHistory } from '../../src/core/reasoning/history/RunHistory';
import { answerText, formatOutcome, votesText } from '../../src/core/reasoning/outcomeText';
import type { PromptRun } from '../../src/core/reasoning/PromptRun';
import { recordRun, runStrategy, type RunRecording } from '../../src/core/reasoning/runStrategy';
import { zeroShotCotDefaults } from '../../src/core/reasoning/zeroShotCot';
import { RunTranscript } from '../../src/vscode/prompt/RunTranscript';

function prompt(file: string, text: string, extra: Partial<PromptRun> = {}): PromptRun {
    return { file, messages: [{ role: 'user', text }], sampling: { temperature: 0 }, lora: [], settings: {}, promptHash: 'h', ...extra };
}

/**
 * Replies to each conversation by its last message's text (a cot turn: by the trigger it ends with), streaming the
 * reply in two chunks; `onChat` runs after each reply (to abort mid-run).
 */
function scriptedModel(replies: (last: string) => string, onChat?: () => void): StrategyModel & { requests: StrategyRequest[] } {
    const requests: StrategyRequest[] = [];
    return {
        requests,
        async chat(request, options) {
            requests.push(request);
            const text = replies(request.messages.at(-1)!.text);
            const half = Math.ceil(text.length / 2);
            options.onToken?.({ text: text.slice(0, half), tokens: [1] });
            options.onToken?.({ text: text.slice(half), tokens: [2] });
            onChat?.();
            return { text, seed: 7, stopReason: options.signal?.aborted ? 'aborted' : 'eos', timing: { promptTokens: 5, generatedTokens: 2 } };
        },
        async chatMany(request) {
            requests.push(request);
            const answers = ['4', '5', '4'];
            return {
                seed: 9, timing: { promptTokens: 5, generatedTokens: 6 },
                paths: Array.from({ length: request.n }, (_, i) => ({ text: `so ${answers[i % 3]}`, meanLogprob: -0.5, seed: 100 + i })),
            };
        },
    };
}

const cotReplies = (last: string) => last.endsWith(zeroShotCotDefaults.reasoningTrigger) ? ' 2 and 2 make 4. ' : ' 4.';

test('zero-shot cot goes through runZeroShotCot: two turns, grammar on the answer only, each streamed under its index', async () => {
    const model = scriptedModel(cotReplies);
    const streamed: [number, string][] = [];
    const run = prompt('/p/sum.prompt', 'What is 2+2?', { sampling: { temperature: 0, grammar: 'root ::= " 4."' } });
    const outcome = await executeStrategy(model, run, { strategy: 'cot', flags: {}, onToken: (chunk, generation) => streamed.push([generation, chunk.text]) });
    assert.equal(model.requests.length, 2);
    assert.equal(model.requests[0]!.sampling?.grammar, undefined);
    assert.equal(model.requests[1]!.sampling?.grammar, 'root ::= " 4."');
    assert.deepEqual(outcome.messages, model.requests.map(r => r.messages));
    assert.deepEqual({ reasoning: outcome.reasoning, output: outcome.output, answer: outcome.answer, outputs: outcome.outputs, stopReason: outcome.stopReason },
        { reasoning: '2 and 2 make 4.', output: '4.', answer: '4', outputs: [' 2 and 2 make 4. ', ' 4.'], stopReason: 'eos' });
    assert.deepEqual(streamed.map(([g]) => g), [0, 0, 1, 1]);
    assert.deepEqual([0, 1].map(g => streamed.filter(([i]) => i === g).map(([, t]) => t).join('')), outcome.outputs);
    assert.deepEqual(outcome.tokens, { prompt: 10, generated: 4 });
});

test('a cot run cancelled during its reasoning does not start the answer turn', async () => {
    const abort = new AbortController();
    const model = scriptedModel(cotReplies, () => abort.abort());
    const outcome = await executeStrategy(model, prompt('/p/sum.prompt', 'What is 2+2?'), { strategy: 'cot', flags: {}, signal: abort.signal });
    assert.equal(model.requests.length, 1);
    assert.equal(outcome.stopReason, 'aborted');
    assert.equal(outcome.outputs.length, 1);
    assert.equal(outcome.messages.length, 1);
});

test('adapters: prompt sends each prompt\'s own adapters per request (the model\'s for a prompt without); model sends none', async () => {
    const main = prompt('/p/review.prompt', 'A', { lora: [{ path: '/a/style.gguf', scale: 0.5 }] });
    const plain = prompt('/p/review.plain.prompt', 'B');
    const model = scriptedModel(() => '4');
    await executeStrategy(model, main, { strategy: 'ensemble', flags: {}, variants: [main, plain], adapters: 'prompt' });
    await executeStrategy(model, main, { strategy: 'self-consistency', flags: {}, samples: 3, adapters: 'prompt' });
    await executeStrategy(model, main, { strategy: 'direct', flags: {} });
    assert.deepEqual(model.requests.map(r => r.lora), [[{ path: '/a/style.gguf', scale: 0.5 }], undefined, [{ path: '/a/style.gguf', scale: 0.5 }], undefined]);
});

test('runStrategy appends one record; the CLI\'s streamed direct run records the same shape through recordRun; no history, no line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-execute-'));
    try {
        const modelFile = join(dir, 'model.gguf');
        writeFileSync(modelFile, 'GGUF fake weights');
        const history = new RunHistory(join(dir, 'runs.jsonl'));
        const recording: RunRecording = { command: 'run', history, input: { q: 1 }, model: { name: 'm', path: modelFile, fileSizeBytes: 17 }, modelLora: [{ path: '/a/cli.gguf' }] };
        const run = prompt('/p/sum.prompt', 'What is 2+2?', { settings: { strategy: 'self-consistency' } });
        const model = scriptedModel(() => 'so 4');
        const outcome = await runStrategy(model, run, { strategy: 'self-consistency', flags: { topK: 5 }, samples: 3 }, recording);
        const direct = directOutcome(run.messages, await model.chat({ messages: run.messages }, {}), handlingFor(run), 12);
        await recordRun(recording, { run, outcome: direct, sampling: run.sampling, lora: recording.modelLora, raw: true });
        await recordRun({ ...recording, history: undefined }, { run, outcome: direct, sampling: run.sampling, lora: [] });

        const lines = readFileSync(history.path, 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
        assert.equal(lines.length, 2, 'a recording without a history (--no-history) writes nothing');
        const [sc, plain] = lines as [Record<string, unknown>, Record<string, unknown>];
        assert.deepEqual(Object.keys(sc).sort(), Object.keys(plain).filter(k => k !== 'raw').sort());
        assert.equal(plain.raw, true);
        assert.deepEqual({ command: sc.command, strategy: sc.strategy, answer: sc.answer, votes: sc.votes, seed: sc.seed, sampling: sc.sampling, adapters: sc.adapters, input: sc.input },
            { command: 'run', strategy: 'self-consistency', answer: '4', votes: { 4: 2, 5: 1 }, seed: 9, sampling: { temperature: 0, topK: 5 }, adapters: [{ path: '/a/cli.gguf' }], input: { q: 1 } });
        assert.deepEqual({ strategy: plain.strategy, answer: plain.answer, outputs: plain.outputs }, { strategy: 'direct', answer: '4', outputs: ['so 4'] });
        assert.equal(answerText(outcome), '4');
        assert.equal(votesText(outcome), '4 ×2, 5 ×1; unmapped: 0; agreement 67% of 3 paths');
        assert.match(formatOutcome(outcome), /^── path 1 \(seed 100, mean logprob -0\.500\) → 4\nso 4\n[\s\S]*\nanswer: 4\nvotes: 4 ×2, 5 ×1; unmapped: 0; agreement 67% of 3 paths\n/);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test('the editor\'s transcript: cot turns under their headings as they stream, self-consistency paths and ensemble answers at the end', async () => {
    const run = prompt('/p/sum.prompt', 'What is 2+2?');
    const cot = new RunTranscript('cot', run);
    const seen: string[] = [];
    const outcome = await executeStrategy(scriptedModel(cotReplies), run, {
        strategy: 'cot', flags: {}, onToken: (chunk, generation) => { cot.append(chunk.text, generation); seen.push(cot.body); },
    });
    cot.finish(outcome);
    assert.equal(cot.body, '── reasoning\n 2 and 2 make 4. \n\n── answer\n 4.');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.startsWith(seen[i - 1]!), 'text is only appended');

    const sc = new RunTranscript('self-consistency', run);
    sc.finish(await executeStrategy(scriptedModel(() => ''), run, { strategy: 'self-consistency', flags: {}, samples: 2 }));
    assert.equal(sc.body, '── path 1 (seed 100, mean logprob -0.500) → 4\nso 4\n\n── path 2 (seed 101, mean logprob -0.500) → 5\nso 5');

    const variants = [run, prompt('/p/sum.terse.prompt', '2+2=')];
    const ensemble = new RunTranscript('ensemble', run, variants);
    const voted = await executeStrategy(scriptedModel(last => (last === '2+2=' ? '5' : '4')), run, {
        strategy: 'ensemble', flags: {}, variants, onToken: (chunk, generation) => ensemble.append(chunk.text, generation),
    });
    ensemble.finish(voted);
    assert.equal(ensemble.body, '── sum.prompt (1/2)\n4\n\n── sum.terse.prompt (2/2)\n5\n\n── answers\nsum.prompt → 4\nsum.terse.prompt → 5');
});
