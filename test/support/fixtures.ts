// Fixture models for the tests, written by the project's own GGUF writer (src/core/fixtures) into
// .cache/fixtures/<hash>/ once and reused. The hash covers the writer's source, so changing the writer makes
// fresh files instead of silently testing stale ones. Each file is written to a temporary name and renamed,
// so test files running in parallel processes never see half a model.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { writeFixtureLora, writeFixtureModel, type FixtureArchitectureName } from '../../src/core/fixtures';

const repoRoot = findRepoRoot();
const pending = new Map<string, Promise<string>>();

/** The tiny fixture model (seed 1, f32): 2 layers, n_embd 64, 4 query heads, 2 KV heads, ChatML, FIM tokens. */
export function fixtureModelPath(): Promise<string> {
    return fixtureFile('tiny-seed1.gguf', path => writeFixtureModel(path));
}

/** A LoRA for `fixtureModelPath()` that makes `LORA_BOOSTED_TOKEN` greedy at scale 1 (see src/core/fixtures). */
export function fixtureLoraPath(): Promise<string> {
    return fixtureFile('tiny-lora.gguf', path => writeFixtureLora(path));
}

/** A fixture model with other dimensions (n_embd 32): adapters for the main fixture do not fit it. */
export function otherFixtureModelPath(): Promise<string> {
    return fixtureFile('tiny-embd32.gguf', path => writeFixtureModel(path, { dims: { embeddingLength: 32 } }));
}

/** A LoRA made for `otherFixtureModelPath()`: llama.cpp rejects it on the main fixture ("incorrect shape"). */
export function otherFixtureLoraPath(): Promise<string> {
    return fixtureFile('tiny-embd32-lora.gguf', path => writeFixtureLora(path, { dims: { embeddingLength: 32 } }));
}

/** The tiny model of one family of the fixture zoo (src/core/fixtures/architectures). */
export function zooModelPath(arch: FixtureArchitectureName): Promise<string> {
    return fixtureFile(`zoo-${arch}-tiny.gguf`, path => writeFixtureModel(path, { arch }));
}

/** The fixture LoRA for `zooModelPath(arch)`: it makes the family's ` banana` greedy at scale 1. */
export function zooLoraPath(arch: FixtureArchitectureName): Promise<string> {
    return fixtureFile(`zoo-${arch}-lora.gguf`, path => writeFixtureLora(path, { arch }));
}

/**
 * A file made by `write(path)` once per writer version and cached under .cache/fixtures/. `name` must identify
 * what `write` produces (use a new name when you change the arguments you pass to a writer).
 */
export function fixtureFile(name: string, write: (path: string) => Promise<unknown>): Promise<string> {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`fixture name ${JSON.stringify(name)} must be a plain file name`);
    const path = join(fixtureDirectory(), name);
    let result = pending.get(path);
    if (!result) {
        result = make(path, write);
        pending.set(path, result);
        result.catch(() => pending.delete(path));
    }
    return result;
}

async function make(path: string, write: (path: string) => Promise<unknown>): Promise<string> {
    if (existsSync(path)) return path;
    await mkdir(fixtureDirectory(), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
    try {
        await write(temporary);
        await rename(temporary, path);
    } finally {
        await rm(temporary, { force: true });
    }
    return path;
}

let directory: string | undefined;

function fixtureDirectory(): string {
    if (directory) return directory;
    const hash = createHash('sha256');
    // Every folder the writers import from: a change to a family's tokenizer or graph must make fresh files too.
    for (const folder of ['src/core/gguf', 'src/core/gguf/errors', 'src/core/fixtures', 'src/core/fixtures/architectures', 'src/core/fixtures/tokenizers', 'src/core/tokens']) {
        const absolute = join(repoRoot, folder);
        for (const file of readdirSync(absolute).filter(f => f.endsWith('.ts')).sort()) {
            hash.update(`${folder}/${file}\0`).update(readFileSync(join(absolute, file))).update('\0');
        }
    }
    directory = join(repoRoot, '.cache', 'fixtures', hash.digest('hex').slice(0, 12));
    return directory;
}

/** Tests are transpiled to CommonJS (`__dirname` is this folder); an ES module importer gets no usable `__dirname`. */
function findRepoRoot(): string {
    const starts = [typeof __dirname === 'string' && isAbsolute(__dirname) ? __dirname : undefined, process.cwd()];
    for (const start of starts) {
        for (let folder = start; folder !== undefined; folder = dirname(folder) === folder ? undefined : dirname(folder)) {
            if (existsSync(join(folder, 'src', 'core', 'fixtures')) && existsSync(join(folder, 'package.json'))) return folder;
        }
    }
    throw new Error('cannot find the Promptscope repository (src/core/fixtures) above this file or the working directory');
}
