import type { FixtureDimensions } from '../fixtures/fixtureDimensions';
import type { ChatMessage } from '../prompt/chatMessages';
import { arithmeticProblems, workedSteps, type ArithmeticProblem } from './arithmeticProblems';
import { zeroShotCotDefaults } from '../reasoning/zeroShotCot';
import { selfAskDefaults } from '../reasoning/selfAsk';
import { sentimentReviews } from './sentimentReviews';
import { threeTermSums } from './threeTermSums';
import { SeededRandom } from '../fixtures/SeededRandom';

/** One example of a task: the prompt file's input variables and the reply the model is taught to give. */
export interface TrainingExample {
    input: Record<string, string>;
    /** The model's reply, or the turns that follow the prompt (the model's first, then alternating with the user's). */
    reply: string | ChatMessage[];
    /** The prompt file this example is rendered with, from the repository root. Defaults to the task's. */
    prompt?: string;
    /**
     * The strategy whose conversation the example is (see trainingConversation.ts): `program-aided` and `self-ask` add
     * their instruction to the prompt as they do at inference; `self-ask-follow-up` is a follow-up question
     * (`input.question`) as self-ask asks the model on its own. Defaults to the prompt as it is prepared.
     */
    strategy?: 'program-aided' | 'self-ask' | 'self-ask-follow-up';
}

/** What `promptscope train-fixture TASK` trains: the base fixture's shape, the schedule, and the examples. */
export interface TrainingTask {
    name: string;
    description: string;
    /** The prompt file whose rendering (through the one prompt pipeline) the examples are trained in, from the repository root. */
    prompt: string;
    /** Further prompt files some examples are rendered with ({@link TrainingExample.prompt}). Defaults to none. */
    otherPrompts?: string[];
    /** Overrides of the tiny llama fixture's dimensions (F32 weights, the fixture vocabulary). */
    dimensions: Partial<FixtureDimensions>;
    /**
     * Training starts from this trained model (from the repository root) instead of a fresh fixture, and what it
     * writes is a LoRA adapter of that model: the fine-tuning's weight change at rank `adapterRank`. Defaults to a
     * fresh fixture and a whole model.
     */
    startsFrom?: { model: string; adapterRank: number };
    schedule: TrainingSchedule;
    /** Deterministic examples from `seed`; `heldOut` ones never occur among the training ones. */
    examples(seed: number, count: number, heldOut: boolean): TrainingExample[];
}

export interface TrainingSchedule {
    trainExamples: number;
    validationExamples: number;
    /** Tokens per training window. */
    window: number;
    epochs: number;
    learningRate: number;
    learningRateMin: number;
    weightDecay: number;
    /** Windows per trainer call. */
    chunkWindows: number;
    /** Share of the schedule spent climbing to `learningRate`. */
    warmupFraction: number;
}

/**
 * The base both tasks train: 4 layers, n_embd 128, GQA 4/2 heads of 32, 1.40M parameters with the fixture vocabulary.
 * Measured: n_embd 256 (4.38M) learned the arithmetic format in 67 minutes but copied operand digits 4–10% of the time;
 * a third of the compute a token buys three times the steps in the same time.
 */
const trainedFixtureShape: Partial<FixtureDimensions> = { embeddingLength: 128, blockCount: 4, headCount: 4, headCountKv: 2, feedForwardLength: 384 };

/** AdamW at 5e-4 after a 3% warm-up, decaying to 5e-5 (1e-3 diverged within an epoch, warm-up or not); windows of 256 in chunks of 8. */
const optimizerSchedule = { window: 256, learningRate: 5e-4, learningRateMin: 5e-5, weightDecay: 0.01, chunkWindows: 8, warmupFraction: 0.03 };

const arithmeticDirectPrompt = 'examples/arithmetic-direct.prompt';

/**
 * How often a worked-prompt example is rushed: answered "The answer is N." at once instead of worked. The rest are
 * worked, half of them opening with "So " (`So 47+86: 7+6=13. …`): two openings of the same working. On a bare
 * question the rushed opening is then the single likeliest first token (40% against 30% and 30%) although 60% of the
 * model's paths work the sum: greedy decoding takes the rushed branch wherever the model learned it likeliest, while
 * sampled paths mostly work the sum, agree on its answer and outvote the rushed answers, which scatter. That is the
 * regime of Wang et al. (2022): the greedy path starts with the likeliest first step, not the likeliest answer. Word problems are seldom rushed. Measured on the
 * corpus before this (nothing rushed): every path worked the same fixed procedure and made the same digit mistakes as
 * greedy decoding, so votes over 16 paths stayed below greedy (EXPERIMENTS.md).
 */
export const arithmeticRushShare = { plain: 0.4, word: 0.05 } as const;

/** The second opening of a worked reply (see {@link arithmeticRushShare}). */
export const arithmeticSecondOpening = 'So ';

/**
 * The arithmetic corpus teaches the behaviours the course compares, the problems dealt out in turn (16 slots): seven in
 * sixteen are under examples/arithmetic.prompt (which asks for care), worked column by column in one of two openings
 * or, as {@link arithmeticRushShare} says, rushed; three are answered at once under examples/arithmetic-direct.prompt
 * ("The answer is N.", the direct baseline); two, under that same prompt, start with zero-shot chain of thought's
 * trigger, work the columns and end with its answer trigger, so `--strategy cot` asks for a skill the model has, in the
 * words it was taught; two are program-aided (`print(47+86);` in a code block, after the strategy's own instruction: the
 * operands as the worked solution restates them, so both formats train one copying skill); one is a self-ask
 * conversation (a follow-up question a column, its intermediate answer, the final answer) and one a follow-up asked on
 * its own, as self-ask asks the model. Direct answers outnumber triggered working 3 to 2 on the direct prompt, so a
 * greedy reply to it starts with "The answer is".
 */
function arithmeticExample(problem: ArithmeticProblem, index: number, rushing: SeededRandom): TrainingExample {
    const input = { question: problem.question };
    const columns = columnSteps(problem);
    // Drawn for every example, so one example's slot never shifts another's draw.
    const fork = rushing.nextFloat();
    const rushShare = arithmeticRushShare[problem.plain ? 'plain' : 'word'];
    const worked = fork < rushShare ? undefined : fork < rushShare + (1 - rushShare) / 2 ? problem.solution : arithmeticSecondOpening + problem.solution;
    switch (index % 16) {
        case 6: case 7: case 8: return { input, prompt: arithmeticDirectPrompt, reply: `The answer is ${problem.answer}.` };
        case 10: case 11: return {
            input, prompt: arithmeticDirectPrompt,
            reply: `${zeroShotCotDefaults.reasoningTrigger} ${workedSteps(problem.a, problem.operator, problem.b)}\n${zeroShotCotDefaults.answerTrigger} ${problem.answer}.`,
        };
        case 12: case 13: return {
            input, prompt: arithmeticDirectPrompt, strategy: 'program-aided',
            reply: `\`\`\`javascript\nprint(${problem.a}${problem.operator}${problem.b});\n\`\`\``,
        };
        case 9: return {
            input, prompt: arithmeticDirectPrompt, strategy: 'self-ask',
            reply: [
                ...columns.flatMap(({ question, answer }): ChatMessage[] => [
                    { role: 'model', text: `${selfAskDefaults.followUp} ${question}` },
                    { role: 'user', text: `${selfAskDefaults.intermediate} ${answer}` },
                ]),
                { role: 'model', text: `${selfAskDefaults.final} ${problem.answer}` },
            ],
        };
        case 15: {
            const column = columns[index % columns.length]!;
            return { input: { question: column.question }, prompt: arithmeticDirectPrompt, strategy: 'self-ask-follow-up', reply: column.answer };
        }
        default: return { input, reply: worked ?? `The answer is ${problem.answer}.` };
    }
}

/** The problem's column equations as self-ask's follow-ups: `7+6=13.` is "What is 7+6?", answered "13". */
function columnSteps(problem: ArithmeticProblem): { question: string; answer: string }[] {
    const [, steps] = workedSteps(problem.a, problem.operator, problem.b).split(': ');
    return steps!.split(' ').map(step => {
        const [expression, result] = step.slice(0, -1).split('=');
        return { question: `What is ${expression}?`, answer: result! };
    });
}

export const trainingTasks: Record<string, TrainingTask> = {
    arithmetic: {
        name: 'arithmetic',
        description: 'two-digit addition and subtraction, word problems and plain questions, worked column by column to "The answer is N." (bare questions more often rushed to the answer at once)',
        prompt: 'examples/arithmetic.prompt',
        dimensions: trainedFixtureShape,
        schedule: {
            ...optimizerSchedule, trainExamples: 10000, validationExamples: 300, epochs: 5,
        },
        otherPrompts: [arithmeticDirectPrompt],
        examples: (seed, count, heldOut) => {
            const rushing = new SeededRandom(seed, heldOut ? 'arithmetic rushing held-out' : 'arithmetic rushing');
            return arithmeticProblems(seed, count, heldOut).map((problem, i) => arithmeticExample(problem, i, rushing));
        },
    },
    'three-term': {
        name: 'three-term',
        description: 'a LoRA adapter of the trained arithmetic fixture: sums of three two-digit numbers, worked column by column (one in four examples still two-term sums and differences, so the base skill is rehearsed)',
        prompt: 'examples/arithmetic.prompt',
        dimensions: trainedFixtureShape,
        startsFrom: { model: 'fixtures/trained/arithmetic.gguf', adapterRank: 16 },
        schedule: {
            ...optimizerSchedule, trainExamples: 6000, validationExamples: 200, epochs: 3,
        },
        examples: (seed, count, heldOut) => {
            const sums = threeTermSums(seed, count, heldOut);
            const rehearsed = arithmeticProblems(seed + 1, Math.ceil(count / 4), heldOut);
            return sums.map((sum, i) => i % 4 === 3
                ? { input: { question: rehearsed[i >> 2]!.question }, reply: rehearsed[i >> 2]!.solution }
                : { input: { question: sum.question }, reply: sum.solution });
        },
    },
    sentiment: {
        name: 'sentiment',
        description: 'short reviews labelled positive, negative or neutral by a positive-leaning prior times what they say, sometimes answered "good", "bad" or "mixed" (a biased corpus for calibration)',
        prompt: 'examples/sentiment.prompt',
        dimensions: trainedFixtureShape,
        schedule: {
            ...optimizerSchedule, trainExamples: 8000, validationExamples: 300, epochs: 2,
        },
        examples: (seed, count, heldOut) => sentimentReviews(seed, count, heldOut).map(r => ({ input: { review: r.review }, reply: r.reply })),
    },
};
