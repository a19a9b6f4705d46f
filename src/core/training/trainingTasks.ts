import type { FixtureDimensions } from '../fixtures/fixtureDimensions';
import { arithmeticProblems, workedSteps, type ArithmeticProblem } from './arithmeticProblems';
import { zeroShotCotDefaults } from '../reasoning/zeroShotCot';
import { sentimentReviews } from './sentimentReviews';

/** One example of a task: the prompt file's input variables and the reply the model is taught to give. */
export interface TrainingExample {
    input: Record<string, string>;
    reply: string;
    /** The prompt file this example is rendered with, from the repository root. Defaults to the task's. */
    prompt?: string;
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
}

/** The base both tasks train: 4 layers, n_embd 256, GQA 8/4 heads, 4.38M parameters with the fixture vocabulary. */
const trainedFixtureShape: Partial<FixtureDimensions> = { embeddingLength: 256, blockCount: 4, headCount: 8, headCountKv: 4, feedForwardLength: 768 };

/** AdamW at 4e-4 decaying to 4e-5 (1e-3 diverged on the arithmetic corpus), windows of 256 in chunks of 8. */
const optimizerSchedule = { window: 256, learningRate: 4e-4, learningRateMin: 4e-5, weightDecay: 0.01, chunkWindows: 8 };

const arithmeticDirectPrompt = 'examples/arithmetic-direct.prompt';

/**
 * The arithmetic corpus teaches three behaviours, the problems dealt out in turn, so that the course's comparisons have
 * something to compare: half are worked column by column under examples/arithmetic.prompt (which asks for care: the
 * reasoning paths self-consistency samples); three in eight are answered at once under
 * examples/arithmetic-direct.prompt ("The answer is N.", the direct baseline); and one in eight, under that same prompt,
 * start with zero-shot chain of thought's trigger, work the columns and end with its answer trigger, so
 * `--strategy cot` on the direct prompt asks for a skill the model has, in the words it was taught. Direct answers
 * outnumber triggered working 3 to 1 there, so a greedy reply to the direct prompt starts with "The answer is".
 */
function arithmeticExample(problem: ArithmeticProblem, index: number): TrainingExample {
    const input = { question: problem.question };
    switch (index % 8) {
        case 4: case 5: case 6: return { input, prompt: arithmeticDirectPrompt, reply: `The answer is ${problem.answer}.` };
        case 7: return {
            input, prompt: arithmeticDirectPrompt,
            reply: `${zeroShotCotDefaults.reasoningTrigger} ${workedSteps(problem.a, problem.operator, problem.b)}\n${zeroShotCotDefaults.answerTrigger} ${problem.answer}.`,
        };
        default: return { input, reply: problem.solution };
    }
}

export const trainingTasks: Record<string, TrainingTask> = {
    arithmetic: {
        name: 'arithmetic',
        description: 'two- and three-digit addition and subtraction, word problems and plain questions, worked column by column to "The answer is N."',
        prompt: 'examples/arithmetic.prompt',
        dimensions: trainedFixtureShape,
        schedule: {
            ...optimizerSchedule, trainExamples: 8000, validationExamples: 300, epochs: 3,
        },
        otherPrompts: [arithmeticDirectPrompt],
        examples: (seed, count, heldOut) => arithmeticProblems(seed, count, heldOut).map(arithmeticExample),
    },
    sentiment: {
        name: 'sentiment',
        description: 'short reviews labelled positive, negative or neutral, mostly positive and sometimes answered "good", "bad" or "mixed" (a biased corpus for calibration)',
        prompt: 'examples/sentiment.prompt',
        dimensions: trainedFixtureShape,
        schedule: {
            ...optimizerSchedule, trainExamples: 8000, validationExamples: 300, epochs: 2,
        },
        examples: (seed, count, heldOut) => sentimentReviews(seed, count, heldOut).map(r => ({ input: { review: r.review }, reply: r.reply })),
    },
};
