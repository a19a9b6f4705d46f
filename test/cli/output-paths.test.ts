// Files the CLI writes where the user points it (`fixture-model OUT.gguf --lora FILE`, `bench --markdown FILE`): a
// directory, a symbolic link or a FIFO there is refused before any work, with the flag and the path named, and the
// file a link points at is left unchanged (issue 15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

function runCli(cwd: string, args: string[]) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: { ...process.env, PROMPTSCOPE_MODEL: '' }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A folder with a directory, a link to a file outside it, and a FIFO, each where a file is to be written. */
function hostileFolder(): { folder: string; target: string } {
    const folder = mkdtempSync(join(tmpdir(), 'promptscope-output-paths-'));
    const target = join(mkdtempSync(join(tmpdir(), 'promptscope-output-target-')), 'precious');
    writeFileSync(target, 'keep\n');
    mkdirSync(join(folder, 'adir'));
    symlinkSync(target, join(folder, 'link'));
    assert.equal(spawnSync('mkfifo', [join(folder, 'fifo')]).status, 0);
    return { folder, target };
}

const cases = [['adir', /it is a directory/], ['link', /it is a symbolic link \(to .*precious\)/], ['fifo', /it is a FIFO/]] as const;

test('fixture-model OUT.gguf and --lora FILE: a directory, link or FIFO is refused before anything is generated', () => {
    const { folder, target } = hostileFolder();
    for (const [name, problem] of cases) {
        const model = runCli(folder, ['fixture-model', name]);
        assert.equal(model.code, 2, model.stderr);
        assert.match(model.stderr, new RegExp(`^promptscope fixture-model: OUT\\.gguf ${join(folder, name)}: `));
        assert.match(model.stderr, problem);
        const lora = runCli(folder, ['fixture-model', 'ok.gguf', '--lora', name]);
        assert.equal(lora.code, 2, lora.stderr);
        assert.match(lora.stderr, new RegExp(`^promptscope fixture-model: --lora ${join(folder, name)}: `));
        assert.match(lora.stderr, problem);
    }
    assert.deepEqual(readdirSync(folder).sort(), ['adir', 'fifo', 'link'], 'not even the model was written before the --lora check');
    assert.equal(readFileSync(target, 'utf8'), 'keep\n');
    assert.ok(lstatSync(join(folder, 'link')).isSymbolicLink());

    const written = runCli(folder, ['fixture-model', 'ok.gguf', '--lora', 'ok-lora.gguf']);
    assert.equal(written.code, 0, written.stderr);
    assert.deepEqual(readdirSync(folder).sort(), ['adir', 'fifo', 'link', 'ok-lora.gguf', 'ok.gguf']);
});

test('bench --markdown: a directory, link or FIFO is refused before a model is chosen or measured', () => {
    const { folder, target } = hostileFolder();
    for (const [name, problem] of cases) {
        const run = runCli(folder, ['bench', '--model', join(folder, 'missing.gguf'), '--markdown', name]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, new RegExp(`^promptscope bench: --markdown ${join(folder, name)}: `));
        assert.match(run.stderr, problem);
        assert.doesNotMatch(run.stderr, /missing\.gguf/);
    }
    assert.equal(readFileSync(target, 'utf8'), 'keep\n');
});
