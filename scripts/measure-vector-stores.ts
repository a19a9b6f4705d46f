// Measures the vector stores retrieval could use on the same vectors, beside the exact brute-force cosine search of
// core (the reference): build time, query latency (median and 95th percentile of single queries) and recall@k against
// the reference. It chose the store (README, "Retrieval"; BENCHMARKS.md, "Vector stores for retrieval").
//
//   node --import tsx scripts/measure-vector-stores.ts --index .promptscope/index/src [--synthetic 10000:384] [--k 10]
//
// --index takes an index written by `promptscope index` (real embeddings): a sample of its chunks is held out and used
// as queries against the rest. --synthetic N:D adds N clustered unit vectors of D dimensions. LanceDB is not a
// dependency of Promptscope: the script installs the pinned @lancedb/lancedb@0.31.0 (with apache-arrow, its peer)
// into .cache/vector-stores/ from the npm registry on first use, and measures it when that works.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { bruteForceSearch, OramaVectorStore, readRetrievalIndex, unitVector, type IndexedChunk, type IndexManifest } from '../src/core/retrieval';

interface Dataset { name: string; vectors: Float32Array; dimensions: number; queries: Float32Array[] }
interface Row { store: string; dataset: string; count: number; dimensions: number; buildMs: number; medianMs: number; p95Ms: number; recall: number }

const { values } = parseArgs({ options: { index: { type: 'string', multiple: true }, synthetic: { type: 'string', multiple: true }, k: { type: 'string' }, queries: { type: 'string' } } });
const k = Number(values.k ?? 10);
const queryCount = Number(values.queries ?? 100);
const root = resolve(__dirname, '..');

/** mulberry32, so that runs are repeatable. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

async function fromIndex(folder: string): Promise<Dataset> {
    const index = await readRetrievalIndex(folder);
    const d = index.manifest.model.dimensions;
    const n = index.manifest.chunks;
    const next = random(1);
    const held = new Set<number>();
    while (held.size < Math.min(queryCount, Math.floor(n / 10))) held.add(Math.floor(next() * n));
    const kept = new Float32Array((n - held.size) * d);
    const queries: Float32Array[] = [];
    let row = 0;
    for (let i = 0; i < n; i++) {
        const v = index.vectors.subarray(i * d, (i + 1) * d);
        if (held.has(i)) queries.push(v.slice());
        else kept.set(v, (row++) * d);
    }
    return { name: `${index.manifest.model.name}: ${folder}`, vectors: kept, dimensions: d, queries };
}

function synthetic(spec: string): Dataset {
    const [n, d] = spec.split(':').map(Number) as [number, number];
    const next = random(n * 31 + d);
    const gauss = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
    const centres = Array.from({ length: Math.max(8, Math.round(Math.sqrt(n))) }, () => Array.from({ length: d }, gauss));
    const sample = () => unitVector(centres[Math.floor(next() * centres.length)]!.map(c => c + gauss() * 0.9));
    const vectors = new Float32Array(n * d);
    for (let i = 0; i < n; i++) vectors.set(sample(), i * d);
    return { name: `synthetic clusters`, vectors, dimensions: d, queries: Array.from({ length: queryCount }, sample) };
}

function timeQueries(queries: Float32Array[], run: (q: Float32Array) => unknown): { medianMs: number; p95Ms: number } {
    const times: number[] = [];
    for (const q of queries) {
        const t = performance.now();
        run(q);
        times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(times.length / 2)]!, p95Ms: times[Math.floor(times.length * 0.95)]! };
}

async function timeQueriesAsync(queries: Float32Array[], run: (q: Float32Array) => Promise<unknown>): Promise<{ medianMs: number; p95Ms: number }> {
    const times: number[] = [];
    for (const q of queries) {
        const t = performance.now();
        await run(q);
        times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(times.length / 2)]!, p95Ms: times[Math.floor(times.length * 0.95)]! };
}

function recall(found: number[][], exact: number[][]): number {
    let hits = 0;
    found.forEach((ids, i) => { const truth = new Set(exact[i]); hits += ids.filter(id => truth.has(id)).length; });
    return hits / (exact.length * k);
}

function loadLanceDb(): any {
    const prefix = join(root, '.cache', 'vector-stores');
    const requireFrom = createRequire(join(prefix, 'package.json'));
    if (!existsSync(join(prefix, 'node_modules', '@lancedb', 'lancedb'))) {
        mkdirSync(prefix, { recursive: true });
        process.stderr.write('Installing @lancedb/lancedb@0.31.0 into .cache/vector-stores/ (once)…\n');
        execFileSync('npm', ['i', '--prefix', prefix, '--no-audit', '--no-fund', '-E', '@lancedb/lancedb@0.31.0', 'apache-arrow@18.1.0'], { stdio: 'inherit' });
    }
    return { lancedb: requireFrom('@lancedb/lancedb'), arrow: requireFrom('apache-arrow') };
}

async function measure(data: Dataset): Promise<Row[]> {
    const { vectors, dimensions: d, queries } = data;
    const n = vectors.length / d;
    const rows: Row[] = [];
    const base = { dataset: data.name, count: n, dimensions: d };
    // Warm-up, then the reference.
    for (const q of queries.slice(0, 5)) bruteForceSearch(vectors, d, q, k);
    const exact = queries.map(q => bruteForceSearch(vectors, d, q, k).map(h => h.chunk));
    rows.push({ store: 'brute force (core, Float64 cosine)', ...base, buildMs: 0, ...timeQueries(queries, q => bruteForceSearch(vectors, d, q, k)), recall: 1 });

    const chunks = Array.from({ length: n }, (_, i) => ({ text: '', start: 0, end: 0, startLine: 1, endLine: 1, file: 0 })) as IndexedChunk[];
    const store = new OramaVectorStore({ chunks, vectors, manifest: { model: { dimensions: d } } as IndexManifest });
    let t = performance.now();
    await store.search({ vector: queries[0]!, k });
    const oramaBuild = performance.now() - t;
    const orama: number[][] = [];
    for (const q of queries) orama.push((await store.search({ vector: q, k })).map(h => h.chunk));
    rows.push({ store: 'Orama 3.1.18 (exact scan)', ...base, buildMs: oramaBuild, ...await timeQueriesAsync(queries, q => store.search({ vector: q, k })), recall: recall(orama, exact) });

    let lance: any;
    try {
        lance = loadLanceDb();
    } catch (error) {
        process.stderr.write(`LanceDB not measured: ${(error as Error).message}\n`);
        return rows;
    }
    const { lancedb, arrow } = lance;
    const dir = mkdtempSync(join(tmpdir(), 'lancedb-'));
    try {
        const db = await lancedb.connect(dir);
        const schema = new arrow.Schema([
            new arrow.Field('id', new arrow.Int32(), false),
            new arrow.Field('vector', new arrow.FixedSizeList(d, new arrow.Field('item', new arrow.Float32(), true)), false),
        ]);
        const records = Array.from({ length: n }, (_, i) => ({ id: i, vector: Array.from(vectors.subarray(i * d, (i + 1) * d)) }));
        t = performance.now();
        const table = await db.createTable('chunks', lancedb.makeArrowTable(records, { schema }));
        const flatBuild = performance.now() - t;
        const search = async (q: Float32Array) => (await table.vectorSearch(Array.from(q)).distanceType('cosine').limit(k).toArray()).map((r: any) => r.id as number);
        for (const q of queries.slice(0, 5)) await search(q);
        const flat: number[][] = [];
        for (const q of queries) flat.push(await search(q));
        rows.push({ store: 'LanceDB 0.31.0, no index (flat scan)', ...base, buildMs: flatBuild, ...await timeQueriesAsync(queries, search), recall: recall(flat, exact) });
        if (n >= 256 * 4) {
            t = performance.now();
            await table.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: Math.max(2, Math.round(Math.sqrt(n))), numSubVectors: Math.max(1, Math.floor(d / 8)), distanceType: 'cosine' }) });
            const indexBuild = flatBuild + performance.now() - t;
            for (const q of queries.slice(0, 5)) await search(q);
            const ivf: number[][] = [];
            for (const q of queries) ivf.push(await search(q));
            rows.push({ store: 'LanceDB 0.31.0, IVF-PQ index (default nprobes)', ...base, buildMs: indexBuild, ...await timeQueriesAsync(queries, search), recall: recall(ivf, exact) });
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    return rows;
}

(async () => {
    const datasets: Dataset[] = [];
    for (const folder of values.index ?? []) datasets.push(await fromIndex(resolve(folder)));
    for (const spec of values.synthetic ?? []) datasets.push(synthetic(spec));
    if (datasets.length === 0) throw new Error('give --index FOLDER (written by promptscope index) and/or --synthetic N:D');
    const rows: Row[] = [];
    for (const data of datasets) rows.push(...await measure(data));
    const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
    process.stdout.write(`| store | vectors | dims | build ms | query median ms | query p95 ms | recall@${k} vs brute force |\n|---|---|---|---|---|---|---|\n`);
    for (const r of rows) process.stdout.write(`| ${r.store} | ${r.count} (${r.dataset}) | ${r.dimensions} | ${fmt(r.buildMs)} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${r.recall.toFixed(3)} |\n`);
})().catch(error => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
});
