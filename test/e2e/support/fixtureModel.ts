import { fixtureModelPath } from '../../support/fixtures';

/** The project's tiny fixture GGUF (test/support/fixtures.ts: written by our own code, cached under .cache/fixtures/). */
export function fixtureModel(): Promise<string> {
    return fixtureModelPath();
}
