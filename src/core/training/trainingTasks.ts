import type { FixtureDimensions } from '../fixtures/fixtureDimensions';
import { arithmeticProblems } from './arithmeticProblems';
import { sentimentReviews } from './sentimentReviews';

/** One example of a task: the prompt file's input variables and the reply the model is taught to give. */
export interface TrainingExample {
    input: Record<string, string>;
    reply: string;
}

/** What `promptscope train-fixture TASK` trains: the base fixture's shape, the schedule, and the examples. */
export interface TrainingTask {
    name: string;
    description: string;
    /** The prompt file whose rendering (through the one prompt pipeline) every example is trained in, from the repository root. */
    prompt: string;
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

export const trainingTasks: Record<string, TrainingTask> = {
    arithmetic: {
        name: 'arithmetic',
        description: 'two- and three-digit addition and subtraction, word problems and plain questions, worked column by column to "The answer is N."',
        prompt: 'examples/arithmetic.prompt',
        dimensions: trainedFixtureShape,
        schedule: {
            ...optimizerSchedule, trainExamples: 6000, validationExamples: 300, epochs: 3,
        },
        examples: (seed, count, heldOut) => arithmeticProblems(seed, count, heldOut).map(p => ({ input: { question: p.question }, reply: p.solution })),
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
