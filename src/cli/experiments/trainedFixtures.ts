import { installedFile } from '../installedFile';
import { MissingTrainedFixtureError } from './MissingTrainedFixtureError';

/** The trained fixtures the experiments read, from the repository root, each with the train-fixture task that makes it. */
export const trainedFixtures = {
    arithmetic: { file: 'fixtures/trained/arithmetic.gguf', task: 'arithmetic' },
    sentiment: { file: 'fixtures/trained/sentiment.gguf', task: 'sentiment' },
    /** A LoRA adapter of the arithmetic fixture (its task starts from that file, which must exist first). */
    threeTermLora: { file: 'fixtures/trained/three-term-lora.gguf', task: 'three-term' },
} as const;

export type TrainedFixture = (typeof trainedFixtures)[keyof typeof trainedFixtures];

/** The command that makes a trained fixture, as the error for a missing one names it. */
export function trainCommand(fixture: TrainedFixture): string {
    return `promptscope train-fixture ${fixture.task} ${fixture.file}`;
}

/** The absolute path of a trained fixture; a MissingTrainedFixtureError naming its command when it is not there. */
export function trainedFixturePath(fixture: TrainedFixture): string {
    try {
        return installedFile(fixture.file);
    } catch {
        // installedFile's only failure: no folder above the CLI holds the file.
        throw new MissingTrainedFixtureError(fixture.file, trainCommand(fixture));
    }
}
