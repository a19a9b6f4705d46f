// src/core/files: the files the project writes (run history, exports) go only to regular files inside their folder,
// never through a symbolic link, and a history line is whole even when the disk fills up mid-write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendLine, checkWritable, writeProjectFile } from '../../src/core/files';
import { FileWriteError } from '../../src/shared/errors/FileWriteError';
import { UnsafePathError } from '../../src/shared/errors/UnsafePathError';
import { RunHistory } from '../../src/core/reasoning/history/RunHistory';

const filesModule = join(__dirname, '..', '..', 'src', 'core', 'files', 'index.ts');

function withFolder(body: (folder: string) => void | Promise<void>): () => Promise<void> {
    return async () => {
        const folder = mkdtempSync(join(tmpdir(), 'promptscope-files-'));
        try {
            await body(folder);
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    };
}

/**
 * Runs `call` (on `files`, this module) in a child: with a file size limit of `kib` KiB, where a write past it is cut
 * short as on a full disk; `unprivileged`: as an unprivileged user when this runs as root (who may write anywhere), so that a
 * read-only folder is read-only to it.
 */
function inChild(call: string, options: { kib?: number; unprivileged?: boolean } = {}): { name?: string; code?: string; message?: string; stderr: string } {
    const script = `const files = require(process.argv[1]); try { ${call}; console.log('{}'); } `
        + `catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }`;
    const limit = options.kib === undefined ? '' : `ulimit -f ${options.kib} && `;
    const user = options.unprivileged === true && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = spawnSync('bash', ['-c', `${limit}exec "$0" --import tsx -e "$1" "$2"`, process.execPath, script, filesModule], {
        encoding: 'utf8', ...user, env: { ...process.env, HOME: tmpdir() },
    });
    return { ...JSON.parse(result.stdout || '{}') as object, stderr: result.stderr };
}

/** The error `body` throws, checked to be a `type`. */
function thrown<T extends Error>(body: () => unknown, type: new (...args: never[]) => T): T {
    try {
        body();
    } catch (error) {
        assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
        return error;
    }
    assert.fail(`expected a ${type.name}, nothing was thrown`);
}

test('appendLine creates the folders and appends whole lines', withFolder(folder => {
    const file = join(folder, '.promptscope', 'runs', 'day.jsonl');
    appendLine(file, '{"a":1}', { root: folder });
    appendLine(file, '{"a":2}', { root: folder });
    assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n{"a":2}\n');
    assert.throws(() => appendLine(file, 'two\nlines', { root: folder }), RangeError);
}));

test('a symbolic link as the file itself is refused and its target left unchanged', withFolder(folder => {
    const outside = join(folder, 'bashrc');
    writeFileSync(outside, 'export PATH\n');
    const runs = join(folder, 'work', '.promptscope', 'runs');
    mkdirSync(runs, { recursive: true });
    const file = join(runs, 'day.jsonl');
    symlinkSync(outside, file);
    const error = thrown(() => appendLine(file, '{"secret":1}', { root: join(folder, 'work') }), UnsafePathError);
    assert.equal(error.path, file);
    assert.match(error.message, /symbolic link \(to .*bashrc\)/);
    assert.match(error.message, /remove the link/);
    assert.equal(readFileSync(outside, 'utf8'), 'export PATH\n');
    // Also without a root (a path the user named): the link itself is still refused, by the lstat check or O_NOFOLLOW.
    assert.throws(() => appendLine(file, '{"secret":1}'), UnsafePathError);
    assert.throws(() => writeProjectFile(file, 'x'), UnsafePathError);
    assert.equal(readFileSync(outside, 'utf8'), 'export PATH\n');
    assert.ok(lstatSync(file).isSymbolicLink(), 'the link is not replaced either');
}));

test('a symbolic link among the folders between the root and the file is refused', withFolder(folder => {
    const elsewhere = join(folder, 'elsewhere');
    mkdirSync(join(elsewhere, 'runs'), { recursive: true });
    const work = join(folder, 'work');
    mkdirSync(work);
    symlinkSync(elsewhere, join(work, '.promptscope'));
    const file = join(work, '.promptscope', 'runs', 'day.jsonl');
    const error = thrown(() => appendLine(file, '{}', { root: work }), UnsafePathError);
    assert.match(error.problem, /\.promptscope is a symbolic link/);
    assert.throws(() => writeProjectFile(file, '{}', { root: work }), UnsafePathError);
    assert.deepEqual(readdirSync(join(elsewhere, 'runs')), [], 'nothing was written where the link points');
}));

test('a directory, a FIFO or a path outside the root is refused, without blocking', withFolder(folder => {
    const directory = join(folder, 'day.jsonl');
    mkdirSync(directory);
    assert.match((thrown(() => appendLine(directory, '{}', { root: folder }), UnsafePathError)).message, /is a directory/);
    assert.throws(() => writeProjectFile(directory, '{}', { root: folder }), /is a directory/);

    const fifo = join(folder, 'fifo.jsonl');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.match((thrown(() => appendLine(fifo, '{}', { root: folder }), UnsafePathError)).message, /FIFO/);
    assert.throws(() => writeProjectFile(fifo, '{}', { root: folder }), /FIFO/);
    assert.throws(() => checkWritable(fifo), /FIFO/);

    assert.match((thrown(() => appendLine(join(folder, '..', 'escape.jsonl'), '{}', { root: folder }), UnsafePathError)).message, /outside/);
    assert.throws(() => appendLine('/dev/null', '{}'), /device/);
}));

test('a torn last line is never continued: the next record starts on a line of its own', withFolder(folder => {
    const file = join(folder, 'day.jsonl');
    writeFileSync(file, '{"a":1}\n{"torn":');
    appendLine(file, '{"a":2}');
    assert.deepEqual(readFileSync(file, 'utf8').split('\n'), ['{"a":1}', '{"torn":', '{"a":2}', '']);
}));

test('a write cut short (file size limit, as a full disk) fails with a FileWriteError and the next append is whole', withFolder(folder => {
    const file = join(folder, 'day.jsonl');
    writeFileSync(file, '{"first":1}\n');
    const line = JSON.stringify({ text: 'x'.repeat(3000) });
    const error = inChild(`files.appendLine(${JSON.stringify(file)}, ${JSON.stringify(line)})`, { kib: 1 });
    assert.equal(error.name, 'FileWriteError', error.stderr);
    assert.equal(error.code, 'ENOSPC');
    assert.match(error.message ?? '', new RegExp(`Cannot write ${file}: only \\d+ of ${line.length + 1} bytes were written`));
    const torn = readFileSync(file, 'utf8');
    assert.equal(torn.length, 1024, 'the limit cut the line');
    assert.ok(!torn.endsWith('\n'));

    appendLine(file, '{"after":1}');
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.deepEqual([lines[0], lines[2], lines[3]], ['{"first":1}', '{"after":1}', '']);
    assert.throws(() => JSON.parse(lines[1]!), 'the torn line stays alone, unparseable, and is skipped by readers');
    assert.equal(lines.length, 4);
}));

test('writeProjectFile replaces a regular file whole, and leaves it as it was when the write fails', withFolder(folder => {
    const file = join(folder, 'exports', 'report.md');
    assert.equal(writeProjectFile(file, 'one\n', { root: folder }), file);
    writeProjectFile(file, 'two\n', { root: folder });
    assert.equal(readFileSync(file, 'utf8'), 'two\n');
    const error = inChild(`files.writeProjectFile(${JSON.stringify(file)}, 'y'.repeat(5000))`, { kib: 1 });
    assert.equal(error.name, 'FileWriteError', error.stderr);
    assert.equal(error.code, 'EFBIG');
    assert.equal(readFileSync(file, 'utf8'), 'two\n');
    assert.deepEqual(readdirSync(join(folder, 'exports')), ['report.md'], 'no temporary file left behind');
}));

test('RunHistory never throws: the first failure is kept, the record count says what was lost', withFolder(folder => {
    const outside = join(folder, 'victim');
    writeFileSync(outside, 'keep\n');
    mkdirSync(join(folder, '.promptscope'));
    symlinkSync(folder, join(folder, '.promptscope', 'runs'));
    const history = new RunHistory(undefined, folder);
    assert.equal(history.append({ a: 1 }), false);
    assert.equal(history.append({ a: 2 }), false);
    assert.ok(history.failure instanceof UnsafePathError);
    assert.equal(history.unwritten, 2);
    assert.match(history.describeFailure() ?? '', /2 of 2 runs were not recorded: Refusing to write .*runs.*symbolic link/);
    assert.equal(readFileSync(outside, 'utf8'), 'keep\n');

    const named = new RunHistory(join(folder, 'named.jsonl'));
    assert.ok(named.named);
    named.check();
    assert.equal(named.append({ b: 1 }), true);
    assert.equal(named.describeFailure(), undefined);
    appendFileSync(named.path, '{"cut');
    assert.equal(named.append({ b: 2 }), true);
    assert.equal(readFileSync(named.path, 'utf8'), '{"b":1}\n{"cut\n{"b":2}\n');
    assert.throws(() => new RunHistory(folder).check(), UnsafePathError, 'a directory named as the file');
}));

test('checkWritable reports an unwritable folder before anything is written; appending there fails the same way', withFolder(folder => {
    const locked = join(folder, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    chmodSync(folder, 0o755);
    chmodSync(locked, 0o555);
    const file = join(locked, 'out.jsonl');
    for (const call of [`files.checkWritable(${JSON.stringify(file)})`, `files.appendLine(${JSON.stringify(join(locked, 'runs', 'day.jsonl'))}, '{}', { root: ${JSON.stringify(locked)} })`]) {
        const error = inChild(call, { unprivileged: true });
        assert.equal(error.name, 'FileWriteError', `${call}: ${error.stderr}`);
        assert.equal(error.code, 'EACCES');
        assert.match(error.message ?? '', /permission denied \(EACCES\)\. Make the file and its folder writable/);
    }
    assert.deepEqual(readdirSync(locked), []);
}));
