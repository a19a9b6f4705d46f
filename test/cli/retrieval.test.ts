// `promptscope index` and retrieval into prompts through the built CLI: the index command's output, progress and
// refusals, and `render` showing the passages a prompt retrieved, their cosine scores checked against brute force
// over the index's own files with the query embedded independently by a runtime client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { bruteForceSearch, readRetrievalIndex } from '../../src/core/retrieval';
import { fixtureModelPath, otherFixtureModelPath } from '../support/fixtures';
import { repoRoot, runCli } from '../support/runCli';
import { newClient } from '../runtime/helpers';

describe('promptscope index and retrieval in render', () => {
    // Inside the repository: the CLI runs there, and an index may only be written inside the folder it runs in.
    const workspace = join(repoRoot, '.cache', `test-retrieval-${process.pid}`);
    const docs = join(workspace, 'docs');
    const index = join(workspace, 'index');
    let model: string;

    before(async () => {
        model = await fixtureModelPath();
        await mkdir(join(docs, 'deep'), { recursive: true });
        await writeFile(join(docs, 'bread.md'), '# Bread\n\nKnead the dough for ten minutes.\n\nBake it at a high heat until the crust is brown.\n');
        await writeFile(join(docs, 'deep', 'tides.txt'), 'The ocean tides follow the moon.\n\nHigh tide comes twice a day.\n');
        await writeFile(join(docs, 'cats.md'), 'Cats sleep for most of the day and hunt at dusk.\n');
    });

    after(async () => {
        await rm(workspace, { recursive: true, force: true });
    });

    test('indexes a folder: summary on stdout, progress on stderr, the same figures in --json', async () => {
        const out = relative(repoRoot, index);
        const run = await runCli(['index', docs, '--model', model, '--out', out, '--chunk-size', '60', '--chunk-overlap', '10']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^Indexed 3 files \(\d+ chunks, 64 dimensions, model Promptscope fixture tiny/);
        assert.match(run.stderr, /Reading documents: /);
        assert.match(run.stderr, /Embedding chunks: /);
        const stored = await readRetrievalIndex(index);
        assert.equal(stored.manifest.files.map(f => f.path).join(','), 'bread.md,cats.md,deep/tides.txt');
        const again = await runCli(['index', docs, '--model', model, '--out', out, '--chunk-size', '60', '--chunk-overlap', '10', '--json']);
        assert.equal(again.code, 0, again.stderr);
        const summary = JSON.parse(again.stdout);
        assert.equal(summary.chunks, stored.manifest.chunks);
        assert.equal(summary.reusedFiles, 3);
        assert.equal(summary.embeddedChunks, 0);
    });

    test('refuses another model\'s index, an empty folder, a missing folder and an index outside the folder it runs in', async () => {
        const out = relative(repoRoot, index);
        const other = await runCli(['index', docs, '--model', await otherFixtureModelPath(), '--out', out]);
        assert.equal(other.code, 1);
        assert.match(other.stderr, /was built with the embedding model .*tiny-seed1\.gguf; .*tiny-embd32\.gguf is another file\. Rebuild the index .*--rebuild/);
        await mkdir(join(workspace, 'empty'), { recursive: true });
        const empty = await runCli(['index', join(workspace, 'empty'), '--model', model, '--out', join(relative(repoRoot, workspace), 'empty-index')]);
        assert.equal(empty.code, 1);
        assert.match(empty.stderr, /Nothing to index in .*empty: no file with text matches include "\*\*\/\*\.\{md,markdown,rst,txt\}", .*widen the globs \(--include \/ --exclude/);
        const missing = await runCli(['index', join(workspace, 'nowhere'), '--model', model]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /DIR .*nowhere does not exist/);
        const outside = await runCli(['index', docs, '--model', model, '--out', join(repoRoot, '..', `outside-${process.pid}`)]);
        assert.equal(outside.code, 1);
        assert.match(outside.stderr, /outside .*, the folder it belongs in/);
        const noModel = await runCli(['index', docs]);
        assert.equal(noModel.code, 2);
        assert.match(noModel.stderr, /no model given/);
    });

    test('--include / --exclude select the documents and are recorded; --ext still works; a bad glob is a usage error', async () => {
        const out = join(relative(repoRoot, workspace), 'selected');
        const run = await runCli(['index', docs, '--model', model, '--out', out, '--include', '**/*.{md,txt}', '--exclude', 'deep', '--exclude', 'cats.*']);
        assert.equal(run.code, 0, run.stderr);
        const selected = await readRetrievalIndex(join(repoRoot, out));
        assert.deepEqual(selected.manifest.files.map(f => f.path), ['bread.md']);
        assert.deepEqual(selected.manifest.selection, { include: ['**/*.{md,txt}'], exclude: ['deep', 'cats.*'] });
        const ext = await runCli(['index', docs, '--model', model, '--out', out, '--ext', 'txt']);
        assert.equal(ext.code, 0, ext.stderr);
        assert.deepEqual((await readRetrievalIndex(join(repoRoot, out))).manifest.files.map(f => f.path), ['deep/tides.txt']);
        const both = await runCli(['index', docs, '--model', model, '--out', out, '--ext', '.md', '--include', '*.md']);
        assert.equal(both.code, 2);
        assert.match(both.stderr, /--ext and --include both say which files to index: give one/);
        // Before the model: no model flag is needed to be told the glob is wrong.
        const bad = await runCli(['index', docs, '--model', 'no-such.gguf', '--out', out, '--include', 'docs/[ab']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--include: "docs\/\[ab" does not parse \(Missing closing: "\]".*Close the bracket/);
        const absolute = await runCli(['index', docs, '--model', model, '--out', out, '--exclude', '/tmp/**']);
        assert.equal(absolute.code, 2);
        assert.match(absolute.stderr, /--exclude: "\/tmp\/\*\*" is absolute\. Patterns are relative to the indexed folder/);
    });

    test('render puts the passages into the prompt and lists them with the brute-force cosine scores', async () => {
        const prompt = join(workspace, 'ask.prompt');
        await writeFile(prompt, [
            '---', 'input:', '  schema:', '    question: string',
            'promptscope.retrieval: {index: index, query: "Question: {{question}}", k: 2}', '---',
            '{{role "system"}}Passages:', '{{#each @retrieved}}[{{rank}} {{file}}:{{startLine}}] {{text}}', '{{/each}}',
            '{{role "user"}}{{question}}', '',
        ].join('\n'));
        const question = 'When is high tide?';
        const run = await runCli(['render', prompt, '--input', JSON.stringify({ question }), '--json']);
        assert.equal(run.code, 0, run.stderr);
        const result = JSON.parse(run.stdout);
        const retrieval = result.retrieval;
        assert.equal(retrieval.query, `Question: ${question}`);
        assert.equal(retrieval.k, 2);
        assert.equal(retrieval.passages.length, 2);

        // Independently: the query's embedding from a client of our own, brute force over the files the index wrote.
        const stored = await readRetrievalIndex(index);
        const { client } = newClient();
        let expected;
        try {
            const embedded = await client.embed({ model, texts: [`Question: ${question}`] });
            expected = bruteForceSearch(stored.vectors, stored.manifest.model.dimensions, embedded.vectors[0]!, 2);
        } finally {
            await client.dispose();
        }
        assert.deepEqual(retrieval.passages.map((p: { chunk: number }) => p.chunk), expected.map(h => h.chunk));
        retrieval.passages.forEach((p: { score: number; text: string; file: string; startLine: number }, i: number) => {
            assert.ok(Math.abs(p.score - expected[i]!.score) < 1e-6, `rank ${i + 1}: ${p.score} vs ${expected[i]!.score}`);
            assert.match(run.stderr, new RegExp(`  ${i + 1}\\. ${expected[i]!.score.toFixed(4).replace('.', '\\.')}  ${p.file.replace('.', '\\.')}:${p.startLine}`));
            assert.ok(result.messages[0].text.includes(`[${i + 1} ${p.file}:${p.startLine}] ${p.text}`), 'the passage is in the system message');
        });
        assert.match(run.stderr, /^Retrieved 2 of \d+ chunks from .*index \(cosine similarity, model .*tiny-seed1\.gguf\) for "Question: When is high tide\?":/m);
        assert.equal(JSON.parse(await readFile(join(index, 'manifest.json'), 'utf8')).format, 1);
    });

    test('a prompt\'s include / exclude keep only the passages of the files they select', async () => {
        const prompt = join(workspace, 'tides.prompt');
        await writeFile(prompt, '---\npromptscope.retrieval: {index: index, query: "Bread and dough", k: 3, include: "deep/**"}\n---\n{{#each @retrieved}}{{file}} {{/each}}\n');
        const run = await runCli(['render', prompt, '--json']);
        assert.equal(run.code, 0, run.stderr);
        const files = JSON.parse(run.stdout).retrieval.passages.map((p: { file: string }) => p.file);
        assert.ok(files.length > 0 && files.every((f: string) => f === 'deep/tides.txt'), files.join(', '));
        const none = join(workspace, 'none.prompt');
        await writeFile(none, '---\npromptscope.retrieval: {index: index, query: "x", exclude: ["**/*"]}\n---\nHi\n');
        const noneRun = await runCli(['render', none]);
        assert.equal(noneRun.code, 1);
        assert.match(noneRun.stderr, /promptscope\.retrieval\.include: include \["\*\*"\], exclude \["\*\*\/\*"\] selects none of the 3 files of the index/);
        const bad = join(workspace, 'badglob.prompt');
        await writeFile(bad, '---\npromptscope.retrieval: {index: index, query: "x", include: "a/[b"}\n---\nHi\n');
        const badRun = await runCli(['render', bad]);
        assert.equal(badRun.code, 1);
        assert.match(badRun.stderr, /badglob\.prompt:2:\d+: `promptscope\.retrieval` `include`: "a\/\[b" does not parse/);
    });

    test('a prompt whose index is missing fails naming it and the command that builds it', async () => {
        const prompt = join(workspace, 'missing.prompt');
        await writeFile(prompt, '---\npromptscope.retrieval: {index: no-such-index, query: "x"}\n---\n{{#each @retrieved}}{{text}}{{/each}} Hi\n');
        const run = await runCli(['render', prompt]);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /Cannot use the retrieval index .*no-such-index: the folder does not exist\. Build it first: promptscope index DIR --model M --out INDEX/);
        const bad = join(workspace, 'bad.prompt');
        await writeFile(bad, '---\npromptscope.retrieval: {index: index, k: 99}\n---\nHi\n');
        const badRun = await runCli(['render', bad]);
        assert.equal(badRun.code, 1);
        assert.match(badRun.stderr, /bad\.prompt:2:\d+: `promptscope\.retrieval` needs `query`/);
    });
});
