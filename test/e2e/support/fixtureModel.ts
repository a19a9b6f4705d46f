import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

/**
 * Path of the project's fixture GGUF (tiny llama model written by our own code), or undefined while
 * neither way of making it has landed. Prefers test/support/fixtures.ts (shared cache with the other
 * suites), else the CLI's `fixture-model` command.
 */
export async function fixtureModel(): Promise<string | undefined> {
    const support = join(repoRoot, 'test/support/fixtures.ts');
    if (existsSync(support)) {
        // A computed specifier: this file must type-check before test/support/fixtures.ts exists.
        const mod = await import(support) as { fixtureModelPath?: () => Promise<string> };
        if (typeof mod.fixtureModelPath === 'function') return mod.fixtureModelPath();
    }
    const cli = join(repoRoot, 'dist/cli.js');
    if (!existsSync(cli)) return undefined;
    const out = join(repoRoot, '.cache/e2e/fixture-model.gguf');
    if (existsSync(out)) return out;
    mkdirSync(join(repoRoot, '.cache/e2e'), { recursive: true });
    const r = spawnSync(process.execPath, [cli, 'fixture-model', out], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) {
        if (/unknown command|usage/i.test(`${r.stderr}${r.stdout}`)) return undefined; // command not landed yet
        throw new Error(`promptscope fixture-model failed (exit ${r.status}): ${r.stderr}`);
    }
    return out;
}
