import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trainCommand, trainedFixtures } from '../../../src/cli/experiments/trainedFixtures';
import { repoRoot } from './paths';

/**
 * The trained arithmetic fixture (fixtures/trained/arithmetic.gguf: committed, made by `promptscope train-fixture
 * arithmetic`, never trained in CI), as an absolute path for `promptscope.model`. A missing file fails the suite with
 * its name and the command that makes it, rather than skipping: the screenshots of a model that knows something are
 * what the suite is for.
 */
export function trainedArithmeticModel(): string {
    const fixture = trainedFixtures.arithmetic;
    const path = join(repoRoot, fixture.file);
    if (!existsSync(path)) throw new Error(`the trained arithmetic fixture ${fixture.file} is missing (${path}): make it with \`${trainCommand(fixture)}\``);
    return path;
}
