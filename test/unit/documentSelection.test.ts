// Which files a retrieval index holds: include / exclude globs (picomatch) over paths relative to the indexed folder,
// the defaults (markdown, text, source files; build outputs left out), symbolic links never followed, every bad
// pattern refused naming its key and the fix; the same globs in a prompt's promptscope.retrieval keep only passages of
// the files they select; and which file-system events concern an index (what the editor's watcher updates it for).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
    bruteForceSearch, buildRetrievalIndex, changeConcernsIndex, compileDocumentSelection, defaultDocumentSelection, defaultExclude, defaultInclude,
    listDocuments, readGlobList, readIndexManifest, readRetrievalIndex, readRetrievalSettings, retrievePassages, selectionFromExtensions,
    type Embedder,
} from '../../src/core/retrieval';
import { DocumentSelectionError } from '../../src/shared/errors/DocumentSelectionError';
import { NoDocumentsError } from '../../src/shared/errors/NoDocumentsError';

function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'promptscope-select-'));
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
    }
    return root;
}

const workspace = {
    'README.md': '# Readme', 'GUIDE.MARKDOWN': 'guide', 'notes.txt': 'notes', 'docs/intro.rst': 'intro',
    'src/app.ts': 'export const a = 1;', 'src/tool.py': 'print(1)', 'src/lib.min.js': 'x', 'package-lock.json': '{}',
    'dist/bundle.js': 'bundle', 'out/a.js': 'a', 'node_modules/p/readme.md': 'dep', '.github/issue.md': 'hidden',
    '.promptscope/index/docs/chunks.json': '[]', 'drafts/wip.md': 'wip', 'image.png': 'png',
};

async function selected(root: string, include?: string[], exclude?: string[]): Promise<string[]> {
    const listing = await listDocuments(root, compileDocumentSelection({ include: include ?? defaultInclude, exclude: exclude ?? defaultExclude }));
    return listing.relativePaths;
}

test('the default selection: markdown, text and source files; data, build outputs, hidden and skipped folders left out', async () => {
    const root = tree(workspace);
    try {
        symlinkSync(join(root, 'README.md'), join(root, 'link.md'));
        symlinkSync(join(root, 'src'), join(root, 'linked-src'));
        const listing = await listDocuments(root, compileDocumentSelection(defaultDocumentSelection));
        assert.deepEqual(listing.relativePaths, ['GUIDE.MARKDOWN', 'README.md', 'docs/intro.rst', 'drafts/wip.md', 'notes.txt', 'src/app.ts', 'src/tool.py']);
        assert.deepEqual(listing.files, listing.relativePaths.map(p => join(root, p)));
        // package-lock.json, image.png, src/lib.min.js, the two links, and .github/issue.md; out/, dist/, node_modules/ and .promptscope/ are not read.
        assert.equal(listing.skipped, 6);
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
});

test('include narrows, exclude removes files and whole folders; given lists replace the defaults', async () => {
    const root = tree(workspace);
    try {
        assert.deepEqual(await selected(root, ['docs/**', '*.md']), ['README.md', 'docs/intro.rst']);
        assert.deepEqual(await selected(root, ['**/*.md'], ['drafts']), ['README.md']);
        assert.deepEqual(await selected(root, ['**/*.md'], ['**/drafts/**']), ['README.md']);
        assert.deepEqual(await selected(root, ['**/*.js'], []), ['dist/bundle.js', 'out/a.js', 'src/lib.min.js']);
        assert.deepEqual(await selected(root, ['**/*.json']), ['package-lock.json']);
        // Hidden folders only when named; skipped folders never, whatever the globs.
        assert.deepEqual(await selected(root, ['.github/**/*.md']), ['.github/issue.md']);
        assert.deepEqual(await selected(root, ['node_modules/**', '.promptscope/**']), []);
        // ./ in front is the folder itself.
        assert.deepEqual(await selected(root, ['./notes.txt']), ['notes.txt']);
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
});

test('--ext endings become include globs, case-insensitive as the endings were', () => {
    const selection = selectionFromExtensions(['.md', '.txt']);
    assert.deepEqual(selection.include, ['**/*.md', '**/*.txt']);
    const matcher = compileDocumentSelection(selection);
    assert.ok(matcher.selects('A/README.MD') && matcher.selects('x.txt') && !matcher.selects('x.ts'));
    assert.ok(compileDocumentSelection(selectionFromExtensions(['.c++'])).selects('a.c++'), 'glob characters of an ending are literal');
});

test('bad patterns are refused, each naming the key, the pattern and the fix', () => {
    const keys = { include: 'promptscope.retrieval.include', exclude: 'promptscope.retrieval.exclude' };
    const cases: { include?: string[]; exclude?: string[]; key: string; message: RegExp }[] = [
        { include: ['docs/[abc'], key: keys.include, message: /"docs\/\[abc" does not parse \(Missing closing: "\]".*Close the bracket/ },
        { exclude: ['**/*.{md,txt'], key: keys.exclude, message: /does not parse/ },
        { include: ['/etc/**'], key: keys.include, message: /"\/etc\/\*\*" is absolute\. Patterns are relative to the indexed folder/ },
        { include: ['C:\\docs\\*.md'], key: keys.include, message: /is absolute/ },
        { include: ['~/notes/*.md'], key: keys.include, message: /is absolute/ },
        { include: ['../other/**'], key: keys.include, message: /reaches above the indexed folder/ },
        { include: ['!drafts/**'], key: keys.include, message: /is negated.*in the exclude list/ },
        { exclude: ['!keep.md'], key: keys.exclude, message: /is negated.*in the include list/ },
        { include: ['  '], key: keys.include, message: /is an empty pattern/ },
        { include: [], key: keys.include, message: /promptscope\.retrieval\.include: is empty, so no file would be indexed/ },
    ];
    for (const c of cases) {
        assert.throws(() => compileDocumentSelection({ include: c.include ?? ['**/*.md'], exclude: c.exclude ?? [] }, keys), (error: unknown) => {
            assert.ok(error instanceof DocumentSelectionError, String(error));
            assert.equal(error.key, c.key);
            assert.ok(error.message.startsWith(`${c.key}: `), error.message);
            assert.match(error.message, c.message);
            return true;
        }, JSON.stringify(c));
    }
    assert.deepEqual(readGlobList('docs/**', 'k'), ['docs/**']);
    assert.equal(readGlobList(undefined, 'k'), undefined);
    assert.throws(() => readGlobList([1, 'a'], 'promptscope.retrieval.include'), /promptscope\.retrieval\.include: must be a glob or a list of globs; got \[1,"a"\]/);
});

test('front matter: include / exclude are checked where the prompt is read', () => {
    const base = { index: 'i', query: '{{q}}' };
    assert.deepEqual(readRetrievalSettings({ ...base, include: 'docs/**', exclude: ['**/old/**'] }), { ...base, include: ['docs/**'], exclude: ['**/old/**'] });
    assert.match(readRetrievalSettings({ ...base, include: ['[x'] }) as string, /`include`: "\[x" does not parse/);
    assert.match(readRetrievalSettings({ ...base, exclude: 3 }) as string, /`exclude`: must be a glob or a list of globs/);
    assert.match(readRetrievalSettings({ ...base, includes: [] }) as string, /unknown key `includes`; known: index, query, k, mode, include, exclude/);
});

/** Vectors from the words of a text: texts that share words are near, so search results can be predicted. */
const fakeEmbedder = (model: string): Embedder & { texts: string[] } => {
    const texts: string[] = [];
    const vocabulary = ['bread', 'tide', 'moon', 'dough', 'code', 'function', 'cat', 'other'];
    return {
        texts,
        async embed(request) {
            texts.push(...request.texts);
            const vectors = request.texts.map(text => Float32Array.from(vocabulary.map(w => (text.toLowerCase().split(/\W+/).filter(x => x === w).length) + 0.01)));
            return { model, modelName: 'fake', modelBytes: readFileSync(model).length, dimensions: vocabulary.length, vectors, tokens: request.texts.map(() => 1), ms: 0 };
        },
    };
};

test('an index records its selection, updates incrementally, and a prompt\'s globs keep only its files\' passages', async () => {
    const root = tree({
        'model.gguf': 'not a real model', 'docs/bread.md': 'Bread: knead the dough, bake the bread.', 'docs/tides.txt': 'The tide follows the moon.',
        'docs/src/code.ts': 'function code() { return "cat"; }', 'docs/data.json': '{"bread": 1}',
    });
    try {
        const model = join(root, 'model.gguf');
        const embedder = fakeEmbedder(model);
        const out = join(root, '.promptscope', 'index', 'docs');
        const first = await buildRetrievalIndex({ folder: join(root, 'docs'), out, root, model, embedder, selection: { include: ['**/*.{md,txt,ts}'], exclude: ['src'] } });
        assert.deepEqual(first.manifest.files.map(f => f.path), ['bread.md', 'tides.txt']);
        const manifest = await readIndexManifest(out);
        assert.deepEqual(manifest.selection, { include: ['**/*.{md,txt,ts}'], exclude: ['src'] });
        assert.equal(first.skipped, 1, 'data.json; src/ is excluded, not read');

        writeFileSync(join(root, 'docs', 'tides.txt'), 'The tide follows the moon; the moon pulls the tide.');
        embedder.texts.length = 0;
        const second = await buildRetrievalIndex({ folder: join(root, 'docs'), out, root, model, embedder, selection: manifest.selection! });
        assert.deepEqual([second.embeddedFiles, second.reusedFiles], [1, 1]);
        assert.deepEqual(embedder.texts, ['The tide follows the moon; the moon pulls the tide.']);

        await assert.rejects(buildRetrievalIndex({ folder: join(root, 'docs'), out, root, model, embedder, selection: { include: ['**/*.rst'], exclude: [] } }),
            (error: unknown) => error instanceof NoDocumentsError && /no file with text matches include "\*\*\/\*\.rst" \(4 other files skipped\)/.test(error.message));
        await assert.rejects(buildRetrievalIndex({ folder: join(root, 'docs'), out, root, model, embedder, selection: { include: ['[md'], exclude: [] }, selectionKeys: { include: '--include', exclude: '--exclude' } }),
            /--include: "\[md" does not parse/);

        // Every file: the nearest passage to "moon" is the tides; kept to bread.md, it is bread's.
        const index = await readRetrievalIndex(out);
        const all = await retrievePassages({ index: out, query: 'moon', k: 2, embedder });
        const expected = bruteForceSearch(index.vectors, index.manifest.model.dimensions, (await embedder.embed({ model, texts: ['moon'] })).vectors[0]!, 2);
        assert.deepEqual(all.passages.map(p => p.chunk), expected.map(h => h.chunk));
        assert.equal(all.passages[0]!.file, 'tides.txt');
        for (const mode of ['vector', 'hybrid'] as const) {
            const kept = await retrievePassages({ index: out, query: 'moon', k: 2, mode, embedder, documents: { include: ['*.md'], exclude: [] } });
            assert.deepEqual(kept.passages.map(p => p.file), ['bread.md'], mode);
            const left = await retrievePassages({ index: out, query: 'moon', k: 2, mode, embedder, documents: { include: ['**'], exclude: ['tides.txt'] } });
            assert.deepEqual(left.passages.map(p => p.file), ['bread.md'], mode);
        }
        await assert.rejects(retrievePassages({ index: out, query: 'moon', k: 2, embedder, documents: { include: ['*.rst'], exclude: [] }, documentKeys: { include: 'promptscope.retrieval.include', exclude: 'x' } }),
            (error: unknown) => error instanceof DocumentSelectionError && /^promptscope\.retrieval\.include: include \["\*\.rst"\] selects none of the 2 files of the index .*\(bread\.md, tides\.txt\)\. Patterns are relative/.test(error.message));
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
});

test('which file-system events concern an index', () => {
    const folder = join(tmpdir(), 'ws', 'docs');
    const index = { folder, matcher: compileDocumentSelection({ include: ['**/*.md'], exclude: ['drafts'] }), files: new Set(['a.md', 'guide/b.md']) };
    const at = (path: string) => join(folder, ...path.split('/'));
    assert.equal(changeConcernsIndex(index, at('new.md'), 'file'), true);
    assert.equal(changeConcernsIndex(index, at('guide/b.md'), 'file'), true);
    assert.equal(changeConcernsIndex(index, at('notes.txt'), 'file'), false, 'not selected');
    assert.equal(changeConcernsIndex(index, at('drafts/x.md'), 'file'), false, 'in an excluded folder');
    assert.equal(changeConcernsIndex(index, at('.promptscope/index/docs/manifest.json'), 'file'), false, 'the index itself');
    assert.equal(changeConcernsIndex(index, at('node_modules/p/readme.md'), 'file'), false);
    assert.equal(changeConcernsIndex(index, join(folder, '..', 'other.md'), 'file'), false, 'outside the folder');
    assert.equal(changeConcernsIndex(index, folder, 'deleted'), false, 'the folder itself');
    assert.equal(changeConcernsIndex(index, at('guide'), 'deleted'), true, 'a folder that held an indexed file');
    assert.equal(changeConcernsIndex(index, at('empty'), 'deleted'), false);
    assert.equal(changeConcernsIndex(index, at('a.md'), 'deleted'), true);
    assert.equal(changeConcernsIndex(index, at('copied'), 'folder'), true, 'a new folder may hold documents');
    assert.equal(changeConcernsIndex(index, at('drafts'), 'folder'), false);
});
