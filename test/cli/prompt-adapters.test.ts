// A prompt's own adapters (`promptscope.lora`) go with each of its requests on every CLI path, as the editor sends
// them: a strategy run (self-consistency paths decoded together), an evaluation, and label scoring. The model itself
// is loaded with `--lora`'s only, so the same prompt without the adapter runs on the base model in the same process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LORA_BOOSTED_TOKEN, LORA_TEST_PROMPT } from '../../src/core/fixtures';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

describe('front-matter adapters on strategy runs, eval and score', () => {
    let dir: string;
    let model: string;

    const runCli = (args: string[]) => {
        const r = spawnSync(process.execPath, [cli, ...args, '--model', model, '--gpu', 'off', '--threads', '1'],
            { cwd: dir, env: { ...process.env, PROMPTSCOPE_MODEL: '' }, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    };
    const promptFile = (name: string, lora: boolean) => writeFileSync(join(dir, name), [
        '---',
        ...(lora ? ['promptscope.lora:', `  path: ${JSON.stringify(adapterPath)}`, '  scale: 1'] : []),
        'config:', '  temperature: 0', '  maxOutputTokens: 2',
        'promptscope.answer.labels:', '  fruit: [banana]', '  other: [the]',
        '---', LORA_TEST_PROMPT, '',
    ].join('\n'));
    let adapterPath: string;

    before(async () => {
        [model, adapterPath] = await Promise.all([fixtureModelPath(), fixtureLoraPath()]);
        dir = mkdtempSync(join(tmpdir(), 'promptscope-adapters-'));
        promptFile('adapted.prompt', true);
        promptFile('base.prompt', false);
        writeFileSync(join(dir, 'rows.jsonl'), '{"expected": "x"}\n');
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    test('self-consistency paths run on the prompt\'s adapter; the history records it', () => {
        const args = ['--strategy', 'self-consistency', '--samples', '2', '--temperature', '0', '--json'];
        const adapted = JSON.parse(runCli(['run', 'adapted.prompt', ...args])) as { paths: { text: string }[] };
        const base = JSON.parse(runCli(['run', 'base.prompt', ...args])) as { paths: { text: string }[] };
        for (const path of adapted.paths) assert.ok(path.text.startsWith(LORA_BOOSTED_TOKEN.text.trim()) || path.text.startsWith(LORA_BOOSTED_TOKEN.text), path.text);
        assert.ok(!base.paths[0]!.text.includes('banana'), `the base model must not say banana already: ${base.paths[0]!.text}`);
        const [historyFile] = readdirSync(join(dir, '.promptscope', 'runs'));
        const lines = readFileSync(join(dir, '.promptscope', 'runs', historyFile!), 'utf8').trim().split('\n').map(l => JSON.parse(l) as { adapters: { path: string }[] });
        assert.deepEqual(lines[0]!.adapters.map(a => a.path), [adapterPath]);
        assert.deepEqual(lines[1]!.adapters, []);
    });

    test('eval rows run on the prompt\'s adapter', () => {
        const adapted = JSON.parse(runCli(['eval', 'adapted.prompt', '--dataset', 'rows.jsonl', '--no-history', '--json'])) as { results: { answer: string | null }[] };
        const base = JSON.parse(runCli(['eval', 'base.prompt', '--dataset', 'rows.jsonl', '--no-history', '--json'])) as { results: { answer: string | null }[] };
        assert.equal(adapted.results[0]!.answer, 'fruit');
        assert.notEqual(base.results[0]!.answer, 'fruit');
    });

    test('score: the adapter moves probability to its boosted label', () => {
        type Scores = { labels: { label: string; probability: number }[] };
        const fruit = (s: Scores) => s.labels.find(l => l.label === 'fruit')!.probability;
        const adapted = JSON.parse(runCli(['score', 'adapted.prompt', '--json'])) as Scores;
        const base = JSON.parse(runCli(['score', 'base.prompt', '--json'])) as Scores;
        assert.ok(fruit(adapted) > 0.9, JSON.stringify(adapted));
        assert.ok(fruit(base) < fruit(adapted) - 0.2, `${fruit(base)} vs ${fruit(adapted)}`);
    });
});
