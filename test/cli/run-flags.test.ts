// `promptscope run`'s sampling and output-constraint flags as a user runs them (the built CLI on the fixture model):
// --repeat-penalty, --grammar FILE, --logit-bias, --no-history, and how a mistake is reported: one line, then where
// the options are listed, with exit code 2 (a call mistake) or 1 (a failure).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureModelPath } from '../support/fixtures';

const repoRoot = join(__dirname, '..', '..');
const cli = join(repoRoot, 'dist', 'cli.js');
let model: string;
let dir: string;

function runCli(args: string[], cwd = dir) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: { ...process.env, PROMPTSCOPE_MODEL: '' }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A greedy run of `text` on the fixture, without history, plus `flags`. */
function greedy(text: string, maxTokens: number, ...flags: string[]) {
    return runCli(['run', '--text', text, '--model', model, '--gpu', 'off', '--temperature', '0', '--max-tokens', String(maxTokens), '--no-history', ...flags]);
}

const words = (output: string) => output.trim().split(/\s+/);

before(async () => {
    model = await fixtureModelPath();
    dir = mkdtempSync(join(tmpdir(), 'promptscope-run-flags-'));
});

describe('run: sampling and constraint flags', () => {
    test('--repeat-penalty changes what a repetitive prompt generates; 1 turns it off', () => {
        const prompt = 'the the the the the the the the the the';
        const off = greedy(prompt, 24, '--raw', '--repeat-penalty', '1');
        const strong = greedy(prompt, 24, '--raw', '--repeat-penalty', '3');
        assert.equal(off.code, 0, off.stderr);
        assert.equal(strong.code, 0, strong.stderr);
        assert.notEqual(strong.stdout, off.stdout);
        // Without a penalty the greedy fixture comes back to words it already wrote; a strong one keeps it off them longer.
        const repeats = (output: string) => words(output).length - new Set(words(output)).size;
        assert.ok(repeats(off.stdout) > repeats(strong.stdout), `${JSON.stringify(off.stdout)} vs ${JSON.stringify(strong.stdout)}`);
        const bad = greedy(prompt, 4, '--repeat-penalty', 'high');
        assert.equal(bad.code, 2);
        assert.equal(bad.stderr, 'promptscope run: --repeat-penalty expects a number, got "high"\nsee `promptscope run --help`\n');
    });

    test('--grammar FILE constrains the output to the grammar', () => {
        const free = greedy('Is it?', 8);
        assert.equal(free.code, 0, free.stderr);
        assert.doesNotMatch(free.stdout, /^(yes|no)\n$/, 'the fixture says something else when free');
        const file = join(dir, 'yes-no.gbnf');
        writeFileSync(file, '# a yes/no answer\nroot ::= "yes" | "no"\n');
        const constrained = greedy('Is it?', 8, '--grammar', file);
        assert.equal(constrained.code, 0, constrained.stderr);
        assert.match(constrained.stdout, /^(yes|no)\n$/);
    });

    test('a grammar mistake names the file, line and column before any model loads', () => {
        const file = join(dir, 'broken.gbnf');
        writeFileSync(file, 'root ::= answer\nanswer ::= "yes" | [a-z\n');
        // No --model: the grammar is checked first.
        const run = runCli(['run', '--text', 'hi', '--grammar', file]);
        assert.equal(run.code, 1);
        assert.equal(run.stderr, `promptscope run: --grammar ${file}:2:20: unterminated character class: no closing "]"\n`);
        const missing = runCli(['run', '--text', 'hi', '--grammar', join(dir, 'none.gbnf')]);
        assert.equal(missing.code, 2);
        assert.equal(missing.stderr, `promptscope run: --grammar ${join(dir, 'none.gbnf')}: no such file\nsee \`promptscope run --help\`\n`);
    });

    test('--logit-bias: a banned word never appears, a boosted one does; ids work too', () => {
        const free = greedy('Is it?', 8);
        assert.equal(free.code, 0, free.stderr);
        const first = words(free.stdout)[0]!;
        assert.ok(/^\p{L}+$/u.test(first), `the free output starts with a word: ${free.stdout}`);
        const banned = greedy('Is it?', 8, '--logit-bias', `${first}=-inf`);
        assert.equal(banned.code, 0, banned.stderr);
        assert.ok(!words(banned.stdout).includes(first), `${first} banned, got ${banned.stdout}`);

        assert.ok(!words(free.stdout).includes('cat'));
        const boosted = greedy('Is it?', 8, '--logit-bias', 'cat=+10');
        assert.equal(boosted.code, 0, boosted.stderr);
        assert.ok(words(boosted.stdout).includes('cat'), boosted.stdout);

        // id:N takes the id as is: banning the EOS id (2) by id changes nothing here, banning 99999 is out of the vocabulary.
        const byId = greedy('Is it?', 8, '--logit-bias', 'id:2=-inf,cat=+10');
        assert.equal(byId.stdout, boosted.stdout);
        const outside = greedy('Is it?', 8, '--logit-bias', 'id:99999=1');
        assert.equal(outside.code, 1);
        assert.match(outside.stderr, /^promptscope run: Invalid sampling option logitBias = "99999": .*vocabulary.*\n$/);
    });

    test('a malformed --logit-bias entry is named with the way to write it', () => {
        const run = runCli(['run', '--text', 'hi', '--logit-bias', 'yes=+5,cat+5']);
        assert.equal(run.code, 2);
        const [line, hint, ...rest] = run.stderr.split('\n');
        assert.match(line!, /^promptscope run: --logit-bias entry "cat\+5" has no =BIAS: write WORD=BIAS or id:N=BIAS/);
        assert.match(line!, /-inf to ban/);
        assert.equal(hint, 'see `promptscope run --help`');
        assert.deepEqual(rest, ['']);
    });

    test('--grammar with a prompt\'s output.schema is a usage error', () => {
        const file = join(dir, 'schema.prompt');
        writeFileSync(file, '---\noutput:\n  schema:\n    answer: string\n---\nAnswer.\n');
        writeFileSync(join(dir, 'g.gbnf'), 'root ::= "x"\n');
        const run = runCli(['run', file, '--grammar', join(dir, 'g.gbnf'), '--model', model]);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^promptscope run: --grammar cannot be combined with .*schema\.prompt's output\.schema/);
    });
});

describe('run: --no-history and --json', () => {
    test('--no-history writes no run history; without it the day\'s file is written', () => {
        const cwd = mkdtempSync(join(tmpdir(), 'promptscope-no-history-'));
        const skipped = runCli(['run', '--text', 'Hi', '--model', model, '--gpu', 'off', '--max-tokens', '2', '--json', '--no-history'], cwd);
        assert.equal(skipped.code, 0, skipped.stderr);
        assert.equal((JSON.parse(skipped.stdout) as { history: unknown }).history, null);
        assert.equal(existsSync(join(cwd, '.promptscope')), false);

        const written = runCli(['run', '--text', 'Hi', '--model', model, '--gpu', 'off', '--max-tokens', '2', '--json'], cwd);
        assert.equal(written.code, 0, written.stderr);
        const history = (JSON.parse(written.stdout) as { history: string }).history;
        assert.equal(readdirSync(join(cwd, '.promptscope', 'runs')).length, 1);
        assert.ok(existsSync(history));

        const both = runCli(['run', '--text', 'Hi', '--no-history', '--out', 'h.jsonl'], cwd);
        assert.equal(both.code, 2);
        assert.match(both.stderr, /^promptscope run: --out names the run history file and --no-history skips it/);
    });

    test('eval --no-history scores the rows and writes no run history', () => {
        const cwd = mkdtempSync(join(tmpdir(), 'promptscope-eval-no-history-'));
        const run = runCli(['eval', join(repoRoot, 'examples', 'arithmetic.prompt'), '--dataset', join(repoRoot, 'examples', 'data', 'arithmetic.jsonl'),
            '--limit', '1', '--max-tokens', '2', '--model', model, '--gpu', 'off', '--json', '--no-history'], cwd);
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as { n: number; history: unknown };
        assert.equal(json.n, 1);
        assert.equal(json.history, null);
        assert.equal(existsSync(join(cwd, '.promptscope')), false);
    });

    test('run --json has the fields README lists, timing.loop included', () => {
        const run = greedy('Hi', 3, '--json');
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as Record<string, unknown> & { timing: Record<string, unknown> };
        assert.deepEqual(Object.keys(json), ['output', 'timing', 'model', 'modelPath', 'backend', 'stopReason', 'seed', 'answer', 'rawAnswer', 'trace', 'history']);
        assert.deepEqual((json.trace as { roots: { kind: string; text: string }[] }).roots.map(r => [r.kind, r.text]), [['output', json.output]]);
        assert.deepEqual(Object.keys(json.timing), ['promptTokens', 'generatedTokens', 'ms', 'tokensPerSecond', 'loop']);
        assert.ok(json.timing.loop === 'native' || json.timing.loop === 'node-llama-cpp', String(json.timing.loop));
    });
});

/**
 * The top-level keys README's `--json` table lists for the row whose command cell starts with `command`: required
 * ones, and optional ones (written `key?`).
 */
function readmeJsonKeys(command: string): { required: string[]; optional: string[] } {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const row = readme.split('\n').find(line => line.startsWith(`| \`${command}`));
    assert.ok(row, `README's --json table has a row for ${command}`);
    const object = /\| `(\{.*?\})`/.exec(row.slice(row.indexOf('|', 2)))![1]!;
    const keys: string[] = [];
    let depth = 0;
    let current = '';
    for (const c of object.slice(1, -1)) {
        if (c === '{' || c === '[') depth++;
        if (c === '}' || c === ']') depth--;
        if (c === ',' && depth === 0) {
            keys.push(current);
            current = '';
        } else {
            current += c;
        }
    }
    keys.push(current);
    const names = keys.map(k => k.trim().split(':')[0]!.trim());
    return { required: names.filter(n => !n.endsWith('?')), optional: names.filter(n => n.endsWith('?')).map(n => n.slice(0, -1)) };
}

function assertReadmeShape(command: string, json: Record<string, unknown>): void {
    const { required, optional } = readmeJsonKeys(command);
    for (const key of required) assert.ok(key in json, `${command} --json has ${key} (README)`);
    for (const key of Object.keys(json)) assert.ok(required.includes(key) || optional.includes(key), `${command} --json's ${key} is in README`);
}

describe('--json outputs are what README\'s table says', () => {
    const jsonOf = (args: string[]) => {
        const run = runCli([...args, '--model', model, '--gpu', 'off', '--json']);
        assert.equal(run.code, 0, run.stderr);
        return JSON.parse(run.stdout) as Record<string, unknown>;
    };
    const arithmetic = join(repoRoot, 'examples', 'arithmetic.prompt');

    test('run, run with a strategy, probs, score, eval, attention', () => {
        assertReadmeShape('run` (direct)', jsonOf(['run', '--text', 'Hi', '--max-tokens', '2', '--no-history']));
        assertReadmeShape('run --strategy', jsonOf(['run', arithmetic, '--strategy', 'self-consistency', '--samples', '2', '--max-tokens', '3', '--no-history']));
        assertReadmeShape('run --strategy', jsonOf(['run', arithmetic, '--strategy', 'cot', '--max-tokens', '3', '--no-history']));
        assertReadmeShape('probs', jsonOf(['probs', '--text', 'Hi there', '--generate', '1']));
        assertReadmeShape('score', jsonOf(['score', join(repoRoot, 'examples', 'sentiment.prompt'), '--input', '{"review": "Fine."}', '--calibrate']));
        assertReadmeShape('eval', jsonOf(['eval', arithmetic, '--dataset', join(repoRoot, 'examples', 'data', 'arithmetic.jsonl'), '--limit', '1', '--max-tokens', '2', '--no-history']));
        assertReadmeShape('attention', jsonOf(['attention', '--text', 'The cat', '--layer', '0']));
    });
});

describe('errors: one line, then where the options are', () => {
    test('a missing model, an unknown flag, an unknown command', () => {
        const noModel = runCli(['run', '--text', 'hi']);
        assert.equal(noModel.code, 2);
        const [line, hint, ...rest] = noModel.stderr.split('\n');
        assert.match(line!, /^promptscope run: no model given: pass --model .*PROMPTSCOPE_MODEL/);
        assert.equal(hint, 'see `promptscope run --help`');
        assert.deepEqual(rest, ['']);

        const unknown = runCli(['probs', '--text', 'hi', '--bogus']);
        assert.equal(unknown.code, 2);
        assert.equal(unknown.stderr.split('\n').length, 3, unknown.stderr);
        assert.match(unknown.stderr, /^promptscope probs: Unknown option '--bogus'.*\nsee `promptscope probs --help`\n$/);

        const ambiguous = runCli(['run', '--text', 'hi', '--model', '-x']);
        assert.equal(ambiguous.code, 2);
        assert.equal(ambiguous.stderr.split('\n').length, 3, 'parseArgs\'s several lines joined into one');

        const command = runCli(['rnu']);
        assert.equal(command.code, 2);
        assert.match(command.stderr, /^promptscope: unknown command "rnu" \(commands: run, .*\)\nsee `promptscope --help`\n$/);
    });
});
