import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { checkWriteTarget, createFolders } from '../../core/files';
import { dirname, join } from 'node:path';
import { writeFixtureModel, type FixtureArchitectureName, type FixtureSize } from '../../core/fixtures';

/**
 * The fixture model `promptscope bench` measures when no `--model` is given: written once into
 * `.cache/fixtures/bench/` of the checkout (delete the file to regenerate it after changing the fixture writer).
 * Written under a temporary name and renamed, so a benchmark and a test starting together never load half a file.
 */
export async function benchFixture(size: FixtureSize, log: (line: string) => void, options: BenchFixtureOptions = {}): Promise<string> {
    const root = projectRoot();
    const arch = options.arch ?? 'llama';
    const name = `${arch === 'llama' ? '' : `${arch}-`}${size}${options.vocab !== undefined ? `-vocab${options.vocab}` : ''}-seed1.gguf`;
    const path = join(root, '.cache', 'fixtures', 'bench', name);
    if (existsSync(path)) return path;
    // The cache folders are made one by one, never through a link (see core/files), and the file is written only there.
    createFolders(checkWriteTarget(path, { root }));
    log(`Writing the ${arch} ${size} fixture model${options.vocab !== undefined ? ` (vocabulary ${options.vocab})` : ''} to ${path}…`);
    const temporary = `${path}.${process.pid}.partial`;
    try {
        await writeFixtureModel(temporary, { size, seed: 1, arch, ...(options.vocab !== undefined ? { dims: { vocabularySize: options.vocab } } : {}) });
        await rename(temporary, path);
    } finally {
        await rm(temporary, { force: true });
    }
    return path;
}

export interface BenchFixtureOptions {
    /** Family of the fixture zoo. Defaults to `'llama'`. */
    arch?: FixtureArchitectureName;
    /** Vocabulary size, e.g. 152064 for qwen2's real one. Defaults to the size preset's. */
    vocab?: number;
}

/** The checkout the CLI bundle runs from (dist/cli.js → its parent), else the working directory. */
function projectRoot(): string {
    for (let folder = __dirname; ; folder = dirname(folder)) {
        if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'node_modules'))) return folder;
        if (dirname(folder) === folder) return process.cwd();
    }
}
