// The instruments on a model that knows something (fixtures/trained/arithmetic.gguf, item 5 of the trained-fixtures
// issue): where the trained model answers a held-out problem right, the probabilities of its answer digits are high, and
// low where it is wrong; and some attention head, from the positions that predict the answer digits of a direct
// answer, looks at the operand digits of the question far more than any head of the same-shaped random fixture it was
// trained from. Both are measured here and printed, not assumed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import type { ChatMessage } from '../../src/core/prompt/chatMessages';
import { preparePrompt, readPromptSource } from '../../src/core/prompt';
import { writeFixtureModel } from '../../src/core/fixtures';
import { attentionAt } from '../../src/core/attention/attentionWeights';
import { arithmeticProblems, type ArithmeticProblem } from '../../src/core/training/arithmeticProblems';
import { trainingTasks } from '../../src/core/training/trainingTasks';
import { repoRoot } from '../support/runCli';
import { greedy, newClient } from './helpers';

const trainedModel = join(repoRoot, 'fixtures', 'trained', 'arithmetic.gguf');
const problems = arithmeticProblems(11, 40, true);
const isDigit = (text: string) => /^\d$/.test(text.trim()) && text.trim() !== '';

interface Answered {
    problem: ArithmeticProblem;
    /** Prompt and generated token ids. */
    ids: number[];
    /** Indices in `ids` of the digits after "The answer is", and their probabilities. */
    answerDigits: { index: number; probability: number }[];
    /** The probability of the least probable digit the model generated (its working's and its answer's). */
    leastDigit: number;
    /** Indices in `ids` of the digit tokens of the prompt (the operands: the system turn has no digits). */
    operandDigits: number[];
    right: boolean;
    /** Whether the reply works the columns (`47+86: 7+6=13. …`, or `So 47+86: …`) rather than stating an answer at once. */
    worked: boolean;
}

async function answer(client: RuntimeClient, promptFile: string, problem: ArithmeticProblem): Promise<Answered> {
    const prepared = await preparePrompt(await readPromptSource(join(repoRoot, promptFile)), { input: { question: problem.question } });
    const result = await client.tokenProbabilities({ prompt: prepared.messages as ChatMessage[], generate: 48, sampling: greedy, topK: 1 });
    const generated = result.tokens.filter(t => t.source === 'generated');
    const text = generated.map(t => t.text).join('');
    const marker = text.lastIndexOf('The answer is');
    let offset = 0;
    const answerDigits: Answered['answerDigits'] = [];
    for (const token of generated) {
        if (marker >= 0 && offset >= marker + 'The answer is'.length && isDigit(token.text) && (answerDigits.length === 0 || answerDigits.at(-1)!.index === token.index - 1)) {
            answerDigits.push({ index: token.index, probability: Math.exp(token.logprob!) });
        }
        offset += token.text.length;
    }
    const stated = /The answer is (\d+)/.exec(text.slice(marker))?.[1];
    return {
        problem, ids: result.tokens.map(t => t.id), answerDigits,
        leastDigit: Math.min(...generated.filter(t => isDigit(t.text)).map(t => Math.exp(t.logprob!))),
        operandDigits: result.tokens.filter(t => t.source === 'prompt' && isDigit(t.text)).map(t => t.index),
        right: stated !== undefined && Number(stated) === problem.answer,
        worked: /^\s*(So )?\d+[+-]\d+:/.test(text),
    };
}

/** For each layer and head: the mean, over the positions predicting an answer digit, of the weight on operand digits. */
async function operandAttention(client: RuntimeClient, answered: Answered[]): Promise<{ layer: number; head: number; mass: number }[]> {
    const sums = new Map<string, { layer: number; head: number; sum: number; count: number }>();
    for (const a of answered) {
        const result = await client.attention({ prompt: a.ids.slice(0, a.answerDigits.at(-1)!.index + 1), addBos: false });
        result.layers.forEach((layer, slot) => {
            for (let head = 0; head < result.heads; head++) {
                const entry = sums.get(`${layer}/${head}`) ?? { layer, head, sum: 0, count: 0 };
                for (const { index } of a.answerDigits) {
                    entry.sum += a.operandDigits.reduce((mass, key) => mass + attentionAt(result, slot, head, index - 1, key), 0);
                    entry.count++;
                }
                sums.set(`${layer}/${head}`, entry);
            }
        });
    }
    return [...sums.values()].map(({ layer, head, sum, count }) => ({ layer, head, mass: sum / count }));
}

describe('instruments on the trained arithmetic fixture', { skip: existsSync(trainedModel) ? false : `${trainedModel} is missing` }, () => {
    let client: RuntimeClient;
    let dir: string;

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'promptscope-trained-instruments-'));
        ({ client } = newClient());
        await client.loadModel({ model: trainedModel, gpu: 'off', threads: 2 });
    });

    after(async () => {
        await client.dispose();
        rmSync(dir, { recursive: true, force: true });
    });

    // The model's greedy mistakes on this prompt are its rushed replies (trainingTasks.ts: most bare questions are
    // answered at once, without the working the model needs): the panel should show them unsure, and a worked answer
    // sure. A worked answer's digits copy its working, so the doubt of a working that went wrong would show in its
    // least probable digit instead, which is printed when there is such a reply.
    test('answer digits are probable where the answer is right and improbable where it is wrong', async () => {
        const answered: Answered[] = [];
        for (const problem of problems) answered.push(await answer(client, 'examples/arithmetic.prompt', problem));
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const digitProbabilities = (right: boolean) => answered.filter(a => a.right === right).flatMap(a => a.answerDigits.map(d => d.probability));
        const [right, wrong] = [digitProbabilities(true), digitProbabilities(false)];
        const count = (pick: (a: Answered) => boolean) => answered.filter(pick).length;
        const leastWrongWorked = answered.filter(a => a.worked && !a.right).map(a => a.leastDigit);
        process.stderr.write(`trained arithmetic, ${problems.length} held-out problems: worked ${count(a => a.worked)} (${count(a => a.worked && a.right)} right), `
            + `rushed ${count(a => !a.worked)} (${count(a => !a.worked && a.right)} right); answer digit probability ${mean(right).toFixed(3)} where right `
            + `(${right.length} digits), ${wrong.length ? mean(wrong).toFixed(3) : '-'} where wrong (${wrong.length} digits); least probable digit of a `
            + `worked reply ${mean(answered.filter(a => a.worked && a.right).map(a => a.leastDigit)).toFixed(3)} where right, `
            + `${leastWrongWorked.length ? mean(leastWrongWorked).toFixed(3) : '-'} where wrong (${leastWrongWorked.length})\n`);
        assert.ok(right.length >= 20, `too few right answers to measure: ${right.length} digits`);
        assert.ok(mean(right) > 0.9, `answer digits where right: mean probability ${mean(right)}`);
        assert.ok(wrong.length > 0, 'no wrong answer among the problems: the comparison needs one');
        assert.ok(mean(wrong) < mean(right) - 0.3, `answer digits: ${mean(wrong)} where wrong vs ${mean(right)} where right`);
    });

    test('a head of the trained model attends from the answer digits to the operand digits more than any head of its random base', async () => {
        const answered: Answered[] = [];
        for (const problem of problems.slice(0, 20)) {
            const a = await answer(client, 'examples/arithmetic-direct.prompt', problem);
            if (a.answerDigits.length > 0 && a.operandDigits.length > 0) answered.push(a);
        }
        assert.ok(answered.length >= 10, `only ${answered.length} direct answers stated a number`);
        const trained = await operandAttention(client, answered);
        // The random fixture training started from (train-fixture's base: the task's shape, seed 1), on the same tokens.
        const base = join(dir, 'base.gguf');
        await writeFixtureModel(base, { dims: trainingTasks.arithmetic!.dimensions, type: 'f32', seed: 1 });
        await client.loadModel({ model: base, gpu: 'off', threads: 2 });
        const random = await operandAttention(client, answered);
        await client.loadModel({ model: trainedModel, gpu: 'off', threads: 2 });
        const best = (heads: typeof trained) => heads.reduce((a, b) => (b.mass > a.mass ? b : a));
        const [t, r] = [best(trained), best(random)];
        const share = answered.reduce((n, a) => n + a.operandDigits.length / (a.answerDigits[0]!.index), 0) / answered.length;
        process.stderr.write(`attention from answer-digit positions to operand digits (${answered.length} direct answers; operand digits are `
            + `${(share * 100).toFixed(1)}% of the keys): trained best head L${t.layer}H${t.head} ${(t.mass * 100).toFixed(1)}%, `
            + `random base best head L${r.layer}H${r.head} ${(r.mass * 100).toFixed(1)}%\n`);
        assert.ok(t.mass > 2 * r.mass, `trained ${t.mass} vs random ${r.mass}`);
    });
});
