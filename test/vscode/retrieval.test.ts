// Promptscope: Index Folder for Retrieval… inside a real extension host, on the fixture model through the runtime
// host's embedding context: the index lands in the workspace folder's .promptscope/index/<name> with progress reported
// (files, then chunks), a second run embeds nothing new, Cancel stops it and leaves the previous index as it was, a
// folder outside the workspace is refused, and the editor's Run of a prompt with promptscope.retrieval puts the
// passages the index gives into what it sends (checked against core's brute force over the written index); once
// built, the index is watched: a document edited and one created are embedded again within seconds, and a search finds
// their new text.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { IndexManifest, IndexProgress, RetrievalOutcome } from '../../src/core/retrieval';
import { bruteForceSearch, readRetrievalIndex } from '../../src/core/retrieval';
import type { Ctx } from '../../src/vscode/Ctx';
import type { IndexFolderOutcome } from '../../src/vscode/retrieval/FolderIndexer';
import { fixtureModelPath } from '../support/fixtures';

describe('Promptscope: Index Folder for Retrieval…', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let workspace: string;
    let docs: string;
    let model: string;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
        docs = join(workspace, 'retrieval-docs');
        mkdirSync(join(docs, 'more'), { recursive: true });
        writeFileSync(join(docs, 'bread.md'), '# Bread\n\nKnead the dough for ten minutes, then let it rise.\n\nBake it hot until the crust is brown.\n');
        writeFileSync(join(docs, 'more', 'tides.txt'), 'The ocean tides follow the moon. High tide comes twice a day.\n');
        model = await fixtureModelPath();
    });

    after(() => {
        rmSync(docs, { recursive: true, force: true });
        rmSync(join(workspace, '.promptscope', 'index', 'retrieval-docs'), { recursive: true, force: true });
    });

    /** The file watcher's events arrive after a moment, then the update waits a quiet second: both, before reading the index. */
    const quiet = async () => {
        await sleep(1_500);
        await ctx.indexWatchers.settled();
    };

    const indexFolder = (folder: unknown, options: Record<string, unknown>) =>
        vscode.commands.executeCommand<IndexFolderOutcome | undefined>('promptscope.indexFolder', folder, { model, ...options });

    it('is a palette command and on folders in the Explorer', async () => {
        assert.ok((await vscode.commands.getCommands(true)).includes('promptscope.indexFolder'));
        const manifest = vscode.extensions.getExtension('promptscope.promptscope')!.packageJSON as {
            contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string }[]> };
        };
        assert.equal(manifest.contributes.commands.find(c => c.command === 'promptscope.indexFolder')?.title, 'Index Folder for Retrieval…');
        assert.equal(manifest.contributes.menus['explorer/context']?.find(c => c.command === 'promptscope.indexFolder')?.when, 'explorerResourceIsFolder');
    });

    it('indexes into the workspace with progress; a second run embeds nothing new', async () => {
        const seen: IndexProgress[] = [];
        const outcome = await indexFolder(vscode.Uri.file(docs), { onProgress: (p: IndexProgress) => seen.push(p) });
        assert.equal(outcome?.status, 'done', JSON.stringify(outcome));
        if (outcome?.status !== 'done') return;
        assert.equal(outcome.relativeIndex, '.promptscope/index/retrieval-docs');
        assert.deepEqual([...new Set(seen.map(p => p.phase))], ['read', 'embed', 'write']);
        assert.equal(seen.at(-1)!.embedded, seen.at(-1)!.toEmbed);
        const index = await readRetrievalIndex(join(workspace, outcome.relativeIndex));
        assert.deepEqual(index.manifest.files.map(f => f.path), ['bread.md', 'more/tides.txt']);
        assert.equal(index.manifest.model.path, model);
        const again = await indexFolder(docs, {});
        assert.equal(again?.status, 'done');
        if (again?.status === 'done') assert.equal(again.result.embeddedChunks, 0);
    });

    it('Cancel stops it and leaves the previous index as it was', async () => {
        const before = readFileSync(join(workspace, '.promptscope', 'index', 'retrieval-docs', 'manifest.json'), 'utf8');
        for (let i = 0; i < 40; i++) writeFileSync(join(docs, `note${i}.md`), `Note ${i}: ${'words about many things. '.repeat(20)}\n`);
        const controller = new AbortController();
        const outcome = await indexFolder(docs, {
            signal: controller.signal,
            onProgress: (p: IndexProgress) => { if (p.phase === 'embed' && p.embedded > 0) controller.abort(); },
        });
        assert.equal(outcome?.status, 'cancelled', JSON.stringify(outcome));
        assert.equal(readFileSync(join(workspace, '.promptscope', 'index', 'retrieval-docs', 'manifest.json'), 'utf8'), before);
        for (let i = 0; i < 40; i++) rmSync(join(docs, `note${i}.md`));
    });

    it('refuses a folder outside the workspace, writing nothing', async () => {
        const outside = mkdtempSync(join(tmpdir(), 'promptscope-outside-'));
        try {
            writeFileSync(join(outside, 'a.md'), 'text');
            const outcome = await indexFolder(outside, {});
            assert.equal(outcome?.status, 'failed');
            if (outcome?.status === 'failed') assert.match(outcome.message, /is outside the open workspace/);
        } finally {
            rmSync(outside, { recursive: true, force: true });
        }
    });

    it('Search Retrieval Index… lists the index with its state and finds the brute-force nearest passages', async () => {
        // The notes the cancelled build saw came and went: the watcher's update for them is over first.
        await quiet();
        assert.ok((await vscode.commands.getCommands(true)).includes('promptscope.searchIndex'));
        const { IndexSearch } = await import('../../src/vscode/retrieval/IndexSearch');
        const found = await new IndexSearch({ models: ctx.models, log: ctx.log }).indexes();
        const mine = found.find(i => i.label === '.promptscope/index/retrieval-docs');
        assert.ok(mine, JSON.stringify(found.map(i => i.label)));
        assert.equal(mine.manifest.files.length, 2);
        const outcome = await vscode.commands.executeCommand<RetrievalOutcome | undefined>('promptscope.searchIndex', '.promptscope/index/retrieval-docs', 'crust of the bread');
        assert.ok(outcome);
        const index = await readRetrievalIndex(mine.folder);
        const query = await ctx.models.client.embed({ model, texts: ['crust of the bread'] });
        const expected = bruteForceSearch(index.vectors, index.manifest.model.dimensions, query.vectors[0]!, 10);
        assert.deepEqual(outcome.passages.map(p => p.chunk), expected.map(h => h.chunk));
        outcome.passages.forEach((p, i) => assert.ok(Math.abs(p.score - expected[i]!.score) < 1e-6));
    });

    it('a prompt with promptscope.retrieval renders the brute-force nearest passages', async () => {
        const prompt = join(workspace, 'retrieval-docs', 'ask.prompt');
        writeFileSync(prompt, '---\npromptscope.retrieval: {index: ../.promptscope/index/retrieval-docs, query: "When is high tide?", k: 1}\n---\n'
            + '{{#each @retrieved}}PASSAGE {{file}}: {{text}}{{/each}}\nQuestion: when is high tide?\n');
        const { preparePrompt, PromptDocument } = await import('../../src/core/prompt');
        const prepared = await preparePrompt(PromptDocument.fromText(readFileSync(prompt, 'utf8'), prompt), { embedder: ctx.models.client });
        const index = await readRetrievalIndex(join(workspace, '.promptscope', 'index', 'retrieval-docs'));
        const query = await ctx.models.client.embed({ model, texts: ['When is high tide?'] });
        const [best] = bruteForceSearch(index.vectors, index.manifest.model.dimensions, query.vectors[0]!, 1);
        assert.equal(prepared.retrieval?.passages[0]?.chunk, best!.chunk);
        assert.ok(Math.abs(prepared.retrieval!.passages[0]!.score - best!.score) < 1e-6);
        assert.ok(prepared.messages[0]!.text.includes(`PASSAGE ${index.manifest.files[index.chunks[best!.chunk]!.file]!.path}: ${index.chunks[best!.chunk]!.text}`));
    });

    it('keeps the index up to date: an edited and a created document are embedded again, and a search finds them', async () => {
        const index = join(workspace, '.promptscope', 'index', 'retrieval-docs');
        const manifestOf = () => JSON.parse(readFileSync(join(index, 'manifest.json'), 'utf8')) as IndexManifest;
        await quiet();
        assert.ok(ctx.indexWatchers.indexes.includes(index), `watched: ${JSON.stringify(ctx.indexWatchers.indexes)}`);
        const before = manifestOf();
        const breadHash = before.files.find(f => f.path === 'bread.md')?.sha256;
        assert.ok(breadHash);

        writeFileSync(join(docs, 'bread.md'), '# Bread\n\nA sourdough starter is fed flour and water every day.\n');
        writeFileSync(join(docs, 'more', 'volcano.md'), '# Volcanoes\n\nMagma rises through the crust and erupts as lava.\n');
        let manifest = before;
        const deadline = Date.now() + 90_000;
        while (manifest.files.find(f => f.path === 'bread.md')?.sha256 === breadHash || !manifest.files.some(f => f.path === 'more/volcano.md')) {
            assert.ok(Date.now() < deadline, `the index was not updated within 90 s: ${JSON.stringify(manifest.files)}`);
            await sleep(250);
            manifest = manifestOf();
        }
        assert.deepEqual(manifest.files.map(f => f.path), ['bread.md', 'more/tides.txt', 'more/volcano.md']);
        assert.equal(manifest.files.find(f => f.path === 'more/tides.txt')?.sha256, before.files.find(f => f.path === 'more/tides.txt')?.sha256);
        assert.deepEqual(manifest.selection?.include, vscode.workspace.getConfiguration('promptscope').get('retrieval.include'), 'built with the settings\' globs');

        await ctx.indexWatchers.settled();
        const outcome = await vscode.commands.executeCommand<RetrievalOutcome | undefined>('promptscope.searchIndex', '.promptscope/index/retrieval-docs', 'Magma and lava');
        assert.ok(outcome);
        const texts = outcome.passages.map(p => p.text).join('\n---\n');
        assert.match(texts, /Magma rises through the crust/);
        assert.match(texts, /sourdough starter is fed flour/);
        assert.doesNotMatch(texts, /Knead the dough/, 'the old text of bread.md is gone from the index');
        // Cross-checked: what the search returned is what brute force finds over the updated index.
        const updated = await readRetrievalIndex(index);
        const query = await ctx.models.client.embed({ model, texts: ['Magma and lava'] });
        const expected = bruteForceSearch(updated.vectors, updated.manifest.model.dimensions, query.vectors[0]!, 10);
        assert.deepEqual(outcome.passages.map(p => p.chunk), expected.map(h => h.chunk));
    });
});
