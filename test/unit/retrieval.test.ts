// Retrieval's pure parts: the chunker's invariants, the brute-force reference on hand-computed cosines, and the Orama
// store against the brute-force reference (same neighbours, same scores) on seeded vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bruteForceSearch, chunkText, OramaVectorStore, unitVector, type IndexedChunk, type IndexManifest } from '../../src/core/retrieval';

/** mulberry32: a seeded generator, so every run sees the same vectors. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const markdown = [
    '# Cats', '', 'Cats sleep most of the day. They hunt at dusk and dawn.', '',
    '## Food', '', 'A cat eats meat. '.repeat(30).trim(), '',
    '# Dogs', '', 'Dogs are loyal. '.repeat(20).trim(), 'Dogs walk.', '',
    'Averyveryverylongwordwithoutanyspace'.repeat(12), '',
].join('\n');

test('chunks are slices of the text, within the size, in order, overlapping, covering every word', () => {
    for (const [size, overlap] of [[200, 40], [120, 0], [60, 30]] as const) {
        const chunks = chunkText(markdown, { size, overlap });
        assert.ok(chunks.length > 2, `${chunks.length} chunks at size ${size}`);
        const lines = markdown.split('\n');
        for (const [i, chunk] of chunks.entries()) {
            assert.equal(chunk.text, markdown.slice(chunk.start, chunk.end));
            assert.ok(chunk.text.length <= size, `chunk ${i} is ${chunk.text.length} > ${size}`);
            assert.equal(chunk.text, chunk.text.trim());
            assert.ok(lines[chunk.startLine - 1]!.length > 0 && markdown.split('\n').slice(0, chunk.startLine - 1).join('\n').length <= chunk.start);
            assert.ok(chunk.endLine >= chunk.startLine);
            assert.ok(lines.slice(chunk.startLine - 1, chunk.endLine).join('\n').includes(chunk.text.split('\n')[0]!));
            if (i > 0) {
                assert.ok(chunk.start > chunks[i - 1]!.start, 'chunks advance');
                if (overlap === 0) assert.ok(chunk.start >= chunks[i - 1]!.end, 'no overlap asked, none given');
            }
        }
        // Every non-space character is in some chunk.
        const covered = new Uint8Array(markdown.length);
        for (const c of chunks) covered.fill(1, c.start, c.end);
        for (let i = 0; i < markdown.length; i++) if (!/\s/.test(markdown[i]!)) assert.equal(covered[i], 1, `offset ${i} (${JSON.stringify(markdown[i])}) not in a chunk`);
        if (overlap > 0) assert.ok(chunks.slice(1).some((c, i) => c.start < chunks[i]!.end), 'consecutive chunks overlap');
    }
});

test('a chunk ends before a heading when one is in reach', () => {
    // The heading comes 64 characters in: past half of 120, so the first chunk ends there rather than mid-section.
    const chunks = chunkText(markdown, { size: 120, overlap: 0 });
    assert.equal(chunks[0]!.text, '# Cats\n\nCats sleep most of the day. They hunt at dusk and dawn.');
});

test('no character is split: a long run of emoji is cut between surrogate pairs', () => {
    const text = '😀'.repeat(100);
    for (const c of chunkText(text, { size: 51, overlap: 0 })) {
        assert.ok(!/[\ud800-\udbff]$/.test(c.text) && !/^[\udc00-\udfff]/.test(c.text), 'a chunk boundary inside a surrogate pair');
    }
});

test('empty and white-space text has no chunks; bad sizes are refused', () => {
    assert.deepEqual(chunkText(''), []);
    assert.deepEqual(chunkText(' \n\n\t '), []);
    assert.throws(() => chunkText('x', { size: 10 }), RangeError);
    assert.throws(() => chunkText('x', { size: 100, overlap: 60 }), RangeError);
});

test('brute force ranks by cosine, computed by hand on three vectors', () => {
    const vectors = Float32Array.from([1, 0, 0, 1, 1, 1, 0, 0, 2]);
    const hits = bruteForceSearch(vectors, 3, [1, 1, 0], 3);
    // cos([1,1,0],[1,0,0]) = 1/√2; with [1,1,1]: 2/(√2·√3); with [0,0,2]: 0.
    assert.deepEqual(hits.map(h => h.chunk), [1, 0, 2]);
    assert.ok(Math.abs(hits[0]!.score - 2 / Math.sqrt(6)) < 1e-12);
    assert.ok(Math.abs(hits[1]!.score - 1 / Math.sqrt(2)) < 1e-12);
    assert.equal(hits[2]!.score, 0);
    assert.deepEqual(Array.from(unitVector([3, 4])), [Math.fround(0.6), Math.fround(0.8)]);
    assert.deepEqual(Array.from(unitVector([0, 0])), [0, 0]);
});

test('the Orama store finds exactly the brute-force neighbours, with the same cosines', async () => {
    const next = random(7);
    const dimensions = 48;
    const count = 600;
    // Clustered vectors, as embeddings of related chunks are, and some pointing away (negative cosines).
    const centres = Array.from({ length: 12 }, () => Array.from({ length: dimensions }, () => next() * 2 - 1));
    const vectors = new Float32Array(count * dimensions);
    for (let i = 0; i < count; i++) {
        const centre = centres[i % centres.length]!;
        vectors.set(unitVector(centre.map(c => c + (next() - 0.5) * 0.8)), i * dimensions);
    }
    const chunks: IndexedChunk[] = Array.from({ length: count }, (_, i) => ({ text: `chunk ${i}`, start: 0, end: 1, startLine: 1, endLine: 1, file: 0 }));
    const manifest = { model: { dimensions } } as IndexManifest;
    const store = new OramaVectorStore({ chunks, vectors, manifest });
    for (let q = 0; q < 40; q++) {
        const query = unitVector(Array.from({ length: dimensions }, () => next() * 2 - 1));
        for (const k of [1, 5, 20]) {
            const expected = bruteForceSearch(vectors, dimensions, query, k);
            const actual = await store.search({ vector: query, k });
            assert.equal(actual.length, k);
            for (let r = 0; r < k; r++) {
                assert.ok(Math.abs(actual[r]!.score - expected[r]!.score) < 1e-6, `query ${q} rank ${r}: ${actual[r]!.score} vs ${expected[r]!.score}`);
            }
            assert.deepEqual(actual.map(h => h.chunk), expected.map(h => h.chunk), `query ${q}, k ${k}`);
        }
    }
    // A query opposite to everything still gets k hits (Orama's default 0.8 similarity floor is off).
    const away = await store.search({ vector: unitVector(Array.from({ length: dimensions }, (_, d) => -vectors[d]!)), k: 3 });
    assert.equal(away.length, 3);
});

test('promptscope.retrieval is checked where it is written, and a prompt that retrieves needs an embedder', async () => {
    const { PromptDocument, preparePrompt, analyzePrompt, RetrievalUnavailableError } = await import('../../src/core/prompt');
    const { readRetrievalSettings } = await import('../../src/core/retrieval');
    assert.deepEqual(readRetrievalSettings({ index: 'idx', query: '{{q}}' }), { index: 'idx', query: '{{q}}' });
    assert.deepEqual(readRetrievalSettings({ index: 'idx', query: 'q', k: 5, mode: 'hybrid' }), { index: 'idx', query: 'q', k: 5, mode: 'hybrid' });
    assert.match(readRetrievalSettings({ index: 'idx', query: 'q', k: 99 }) as string, /`k` must be an integer from 1 to 20; got 99/);
    assert.match(readRetrievalSettings({ index: 'idx', query: 'q', mode: 'bm25' }) as string, /`mode` must be one of vector, hybrid/);
    assert.match(readRetrievalSettings({ index: 'idx', query: 'q', top: 3 }) as string, /unknown key `top`/);
    assert.match(readRetrievalSettings({ query: 'q' }) as string, /needs `index`/);
    assert.match(readRetrievalSettings('idx') as string, /must be a mapping/);

    const text = '---\npromptscope.retrieval: {index: idx, query: "{{q}}", k: 2}\n---\n{{#each @retrieved}}[{{rank}}] {{text}} {{score}}\n{{/each}}Q: {{q}}\n';
    const doc = PromptDocument.fromText(text, '/tmp/ask.prompt');
    assert.deepEqual((await analyzePrompt(doc)).map(d => d.message), [], 'no warning for the setting or for @retrieved');
    await assert.rejects(preparePrompt(doc, { input: { q: 'x' } }), (error: unknown) => error instanceof RetrievalUnavailableError && error.line === 2);
    const bad = PromptDocument.fromText('---\npromptscope.retrieval: {index: idx, k: 0}\n---\nHi\n', '/tmp/bad.prompt');
    const diagnostics = await analyzePrompt(bad);
    assert.ok(diagnostics.some(d => d.severity === 'error' && /`promptscope.retrieval` needs `query`/.test(d.message)), JSON.stringify(diagnostics));
});

test('hybrid mode blends BM25 and cosine as Orama documents it: 0.5 · text/max + 0.5 · cosine/max', async () => {
    const next = random(3);
    const dimensions = 16;
    const count = 200;
    const vectors = new Float32Array(count * dimensions);
    for (let i = 0; i < count; i++) vectors.set(unitVector(Array.from({ length: dimensions }, () => next() - 0.5)), i * dimensions);
    const chunks: IndexedChunk[] = Array.from({ length: count }, (_, i) => ({
        text: i === 137 ? 'the zebra crossed the river' : `the river ${i} flowed past the town`, start: 0, end: 1, startLine: 1, endLine: 1, file: 0,
    }));
    const store = new OramaVectorStore({ chunks, vectors, manifest: { model: { dimensions } } as IndexManifest });
    // A query vector near chunk 137's, so that it should lead once its one rare word counts too.
    const query = unitVector(Array.from(vectors.subarray(137 * dimensions, 138 * dimensions), v => v + (next() - 0.5) * 0.6));
    const all = bruteForceSearch(vectors, dimensions, query, count);
    const best = all[0]!.score;
    // Only chunk 137 holds "zebra": its BM25 score, normalised by the largest, is 1; every other chunk's is 0.
    const expected = all.map(h => ({ chunk: h.chunk, score: 0.5 * (h.chunk === 137 ? 1 : 0) + 0.5 * h.score / best }))
        .sort((a, b) => b.score - a.score).slice(0, 5);
    const hybrid = await store.search({ vector: query, text: 'zebra', k: 5, mode: 'hybrid' });
    assert.equal(hybrid.length, 5);
    assert.equal(hybrid[0]!.chunk, 137);
    assert.deepEqual(hybrid.map(h => h.chunk), expected.map(h => h.chunk));
    hybrid.forEach((h, r) => assert.ok(Math.abs(h.score - expected[r]!.score) < 1e-6, `rank ${r}: ${h.score} vs ${expected[r]!.score}`));
});

test('an index is written only inside its root and never through a symbolic link; a damaged one is refused naming what is wrong', async () => {
    const { mkdtempSync, mkdirSync, symlinkSync, rmSync, writeFileSync, existsSync, truncateSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeRetrievalIndex, readRetrievalIndex, indexFormatVersion } = await import('../../src/core/retrieval');
    const { UnsafePathError } = await import('../../src/shared/errors/UnsafePathError');
    const { RetrievalIndexError } = await import('../../src/shared/errors/RetrievalIndexError');
    const root = mkdtempSync(join(tmpdir(), 'promptscope-index-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'promptscope-elsewhere-'));
    try {
        const manifest: IndexManifest = {
            format: indexFormatVersion, model: { path: '/m.gguf', name: 'm', bytes: 1, dimensions: 2 }, folder: root, chunking: { size: 100, overlap: 0 },
            files: [{ path: 'a.md', sha256: 'x', first: 0, count: 2 }], chunks: 2, built: '2026-01-01T00:00:00.000Z',
        };
        const chunks: IndexedChunk[] = [0, 1].map(i => ({ text: `t${i}`, start: 0, end: 2, startLine: 1, endLine: 1, file: 0 }));
        const vectors = Float32Array.from([1, 0, 0, 1]);
        writeRetrievalIndex(join(root, '.promptscope', 'index', 'ok'), root, manifest, chunks, vectors);
        const read = await readRetrievalIndex(join(root, '.promptscope', 'index', 'ok'));
        assert.deepEqual(Array.from(read.vectors), [1, 0, 0, 1]);
        assert.deepEqual(read.chunks, chunks);

        mkdirSync(join(root, 'linked'));
        symlinkSync(elsewhere, join(root, 'linked', 'index'));
        assert.throws(() => writeRetrievalIndex(join(root, 'linked', 'index', 'x'), root, manifest, chunks, vectors), UnsafePathError);
        assert.throws(() => writeRetrievalIndex(join(elsewhere, 'x'), root, manifest, chunks, vectors), UnsafePathError);
        assert.equal(existsSync(join(elsewhere, 'x')), false);

        truncateSync(join(root, '.promptscope', 'index', 'ok', 'vectors.f32'), 12);
        await assert.rejects(readRetrievalIndex(join(root, '.promptscope', 'index', 'ok')),
            (error: unknown) => error instanceof RetrievalIndexError && /vectors\.f32 holds 12 bytes; 2 chunks of 2 dimensions need 16/.test(error.message));
        writeFileSync(join(root, '.promptscope', 'index', 'ok', 'manifest.json'), '{"format": 9}');
        await assert.rejects(readRetrievalIndex(join(root, '.promptscope', 'index', 'ok')), (error: unknown) => error instanceof RetrievalIndexError && /format 9/.test(error.message));
        await assert.rejects(readRetrievalIndex(join(root, 'none')), (error: unknown) => error instanceof RetrievalIndexError && /the folder does not exist/.test(error.message));
    } finally {
        rmSync(root, { recursive: true, force: true });
        rmSync(elsewhere, { recursive: true, force: true });
    }
});

test('self-ask answered by retrieval needs promptscope.retrieval, said at promptscope.selfAsk', async () => {
    const { PromptDocument, analyzePrompt, readPromptscopeSettings } = await import('../../src/core/prompt');
    const doc = PromptDocument.fromText('---\npromptscope.strategy: self-ask\npromptscope.selfAsk: {answerWith: retrieval}\n---\nQ?\n', '/tmp/sa.prompt');
    const errors = (await analyzePrompt(doc)).filter(d => d.severity === 'error');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /answers follow-ups with retrieval, which needs `promptscope.retrieval`/);
    assert.equal(errors[0]!.range.start.line, 2);
    assert.match(readPromptscopeSettings({ 'promptscope.selfAsk': { answerWith: 'search' } }).issues[0]!.message, /answerWith must be one of model, retrieval; got "search"/);
    assert.deepEqual(readPromptscopeSettings({ 'promptscope.selfAsk': { answerWith: 'retrieval' }, 'promptscope.retrieval': { index: 'i', query: 'q' } }).issues, []);
});
