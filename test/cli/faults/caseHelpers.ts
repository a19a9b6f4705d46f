// Small builders the fault tables share: the fixture run's flags, special files, and checks on the run history.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultContext } from '../../support/faultHarness';

/** Flags of a quick, deterministic run on the fixture model: one thread, CPU, three tokens. */
export function quick(ctx: FaultContext, ...more: string[]): string[] {
    return ['--model', ctx.model, '--gpu', 'off', '--threads', '1', '--seed', '1', '--max-tokens', '3', ...more];
}

/** The fixture model's flags for `probs` and `attention`, which take no --max-tokens. */
export function probsFlags(ctx: FaultContext, ...more: string[]): string[] {
    return ['--model', ctx.model, '--gpu', 'off', '--threads', '1', ...more];
}

/**
 * A model that does not exist: a case that passes it and still gets its own error (and no word about the model)
 * proves the mistake is caught before any model loads.
 */
export function missingModel(ctx: FaultContext): string[] {
    return ['--model', join(ctx.work, 'missing-model.gguf')];
}
export const noModelMessage = /missing-model\.gguf/;

/** A `.prompt` whose input is one string `q`, and its path. */
export function questionPrompt(ctx: FaultContext, name = 'q.prompt'): string {
    return ctx.file(name, '---\ninput:\n  schema:\n    q: string\n---\nQuestion: {{q}}\n');
}

export function mkfifo(path: string): string {
    const made = spawnSync('mkfifo', [path]);
    assert.equal(made.status, 0, `mkfifo ${path}: ${String(made.stderr)}`);
    return path;
}

/** A sparse file of `bytes` bytes (zeros): as large as a limit needs, without writing it. */
export function sparseFile(path: string, bytes: number): string {
    const fd = openSync(path, 'w');
    try {
        ftruncateSync(fd, bytes);
    } finally {
        closeSync(fd);
    }
    return path;
}

/** Today's history file in `folder`, as the run history names it. */
export function todaysHistory(folder: string): string {
    return join(folder, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
}

/** Every line of the history is one whole JSON object (a torn line written before the run may stay, named in `allowed`). */
export function assertWholeLines(path: string, expectedRecords?: number, allowed: string[] = []): void {
    assert.ok(existsSync(path), `${path} exists`);
    const text = readFileSync(path, 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), `${path} ends with a line break: ${JSON.stringify(text.slice(-80))}`);
    const lines = text.split('\n').slice(0, -1).filter(line => !allowed.includes(line));
    for (const [index, line] of lines.entries()) {
        assert.doesNotThrow(() => JSON.parse(line), `line ${index + 1} of ${path} is whole JSON: ${line.slice(0, 120)}`);
    }
    if (expectedRecords !== undefined) assert.equal(lines.length, expectedRecords, `${path} holds ${expectedRecords} records`);
}

/** The parsed `--json` object on stdout. */
export function printedJson<T = Record<string, unknown>>(stdout: string): T {
    try {
        return JSON.parse(stdout) as T;
    } catch {
        assert.fail(`stdout is one JSON object: ${stdout.slice(0, 300)}`);
    }
}

export function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
