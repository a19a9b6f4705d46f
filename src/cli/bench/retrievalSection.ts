import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    bruteForceSearch, indexFormatVersion, OramaVectorStore, retrievePassages, unitVector, writeRetrievalIndex,
    type IndexedChunk, type IndexManifest,
} from '../../core/retrieval';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { median, medianOfPairedRatios } from './measureThroughput';

/** Chunks embedded for the indexing speed; their embeddings seed the store's vectors. */
const chunkCount = 48;
/** Vectors in the store: each real embedding and noisy copies of it, a workspace's worth of chunks. */
const storeSize = 3072;
const k = 10;
const words = ('the river bread ocean tide moon cat dog garden print press mountain route valley storm harbour village market '
    + 'lantern engine signal bridge tower forest orchard winter summer recipe flour yeast oven crust salt water stone '
    + 'glass paper ink letter scribe monk wheel cart road map compass star night morning').split(' ');

/** mulberry32: the same corpus and noise on every run. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function corpus(count: number, seed: number): string[] {
    const next = random(seed);
    return Array.from({ length: count }, () => Array.from({ length: 45 }, () => words[Math.floor(next() * words.length)]!).join(' ') + '.');
}

/**
 * Retrieval: indexing speed (chunks embedded through the runtime's embedding context, the model under test as the
 * embedding model), then search over a store of {@link storeSize} vectors (the real embeddings and noisy copies of
 * them) by the Orama store the index uses against core's exact brute-force cosine search (the reference), with
 * Orama's recall@k against it, and a whole retrieval (query embedded over RPC, index searched) as a prompt does it.
 * The comparison with LanceDB, which is not a dependency, is scripts/measure-vector-stores.ts (BENCHMARKS.md).
 */
export const retrievalSection: BenchSection = {
    id: 'retrieval',
    title: `Retrieval: embedding ${chunkCount} chunks; search over ${storeSize} vectors, Orama vs exact brute force`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const texts = corpus(chunkCount, ctx.seed);
        const embedAll = async () => {
            const started = performance.now();
            const vectors: Float32Array[] = [];
            let tokens = 0;
            for (let i = 0; i < texts.length; i += 16) {
                const result = await ctx.client.embed({ model: ctx.modelPath, texts: texts.slice(i, i + 16), threads: ctx.threads });
                vectors.push(...result.vectors);
                tokens += result.tokens.reduce((a, b) => a + b, 0);
            }
            return { ms: performance.now() - started, vectors, tokens };
        };
        // Untimed: loads the embedding model and creates its context.
        let embedded = await embedAll();
        const rates: number[] = [];
        const tokenRates: number[] = [];
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: embedding ${chunkCount} chunks`);
            embedded = await embedAll();
            rates.push(chunkCount / (embedded.ms / 1000));
            tokenRates.push(embedded.tokens / (embedded.ms / 1000));
        }
        const dimensions = embedded.vectors[0]!.length;

        const next = random(ctx.seed + 1);
        const gauss = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
        const vectors = new Float32Array(storeSize * dimensions);
        const chunks: IndexedChunk[] = [];
        for (let i = 0; i < storeSize; i++) {
            const source = unitVector(embedded.vectors[i % chunkCount]!);
            const noisy = i < chunkCount ? source : unitVector(Array.from(source, v => v + gauss() * 0.3 / Math.sqrt(dimensions)));
            vectors.set(noisy, i * dimensions);
            chunks.push({ text: texts[i % chunkCount]!, start: 0, end: 0, startLine: 1, endLine: 1, file: 0 });
        }
        const queryTexts = corpus(20, ctx.seed + 2);
        const queries = (await ctx.client.embed({ model: ctx.modelPath, texts: queryTexts, threads: ctx.threads })).vectors;
        const manifest: IndexManifest = {
            format: indexFormatVersion, model: { path: ctx.modelPath, name: ctx.model.name, bytes: statSync(ctx.modelPath).size, dimensions },
            folder: '', chunking: { size: 1000, overlap: 0 }, files: [{ path: 'corpus.txt', sha256: '', first: 0, count: storeSize }], chunks: storeSize, built: new Date().toISOString(),
        };
        const store = new OramaVectorStore({ chunks, vectors, manifest });
        const started = performance.now();
        await store.search({ vector: queries[0]!, k });
        const oramaBuild = performance.now() - started;

        let found = 0;
        const brute: number[] = [];
        const orama: number[] = [];
        for (let r = 0; r < ctx.repeat; r++) {
            ctx.log(`  repetition ${r + 1}/${ctx.repeat}: ${queries.length} queries, brute force and Orama`);
            for (const which of r % 2 === 0 ? ['brute', 'orama'] : ['orama', 'brute']) {
                const t = performance.now();
                for (const q of queries) {
                    if (which === 'brute') bruteForceSearch(vectors, dimensions, q, k);
                    else await store.search({ vector: q, k });
                }
                (which === 'brute' ? brute : orama).push((performance.now() - t) / queries.length);
            }
        }
        for (const q of queries) {
            const truth = new Set(bruteForceSearch(vectors, dimensions, q, k).map(h => h.chunk));
            found += (await store.search({ vector: q, k })).filter(h => truth.has(h.chunk)).length;
        }

        // A whole retrieval as a prompt runs it: the index read from its folder once, each query embedded over RPC.
        const folder = mkdtempSync(join(tmpdir(), 'promptscope-bench-index-'));
        const whole: number[] = [];
        try {
            writeRetrievalIndex(join(folder, 'index'), folder, manifest, chunks, vectors);
            await retrievePassages({ index: join(folder, 'index'), query: queryTexts[0]!, k, embedder: ctx.client });
            for (const query of queryTexts) {
                const t = performance.now();
                await retrievePassages({ index: join(folder, 'index'), query, k, embedder: ctx.client });
                whole.push(performance.now() - t);
            }
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
        ctx.note(`${dimensions}-dimensional embeddings of ${chunkCount} chunks of ~45 words (${Math.round(embedded.tokens / chunkCount)} tokens each); the store holds them and noisy copies (σ = 0.3/√d per component, renormalised); k = ${k}; Orama builds its store in ${oramaBuild.toFixed(0)} ms on first search`);
        return [
            { id: 'embed.chunksPerSecond', label: `indexing: chunks embedded per second (${chunkCount} chunks, batches of 16)`, value: median(rates), unit: 'chunks/s', samples: rates },
            { id: 'embed.tokensPerSecond', label: 'indexing: tokens embedded per second', value: median(tokenRates), unit: 'tok/s', samples: tokenRates },
            { id: 'search.bruteForce.ms', label: `exact brute-force cosine, one query over ${storeSize} vectors`, value: median(brute), unit: 'ms', samples: brute },
            { id: 'search.orama.ms', label: `Orama vector search, one query over ${storeSize} vectors`, value: median(orama), unit: 'ms', samples: orama },
            { id: 'search.ratio', label: 'Orama / brute force (median of the repetitions\' ratios)', ...medianOfPairedRatios(orama, brute), unit: '×' },
            { id: 'search.recall', label: `Orama recall@${k} against brute force`, value: found / (queries.length * k), unit: '', goal: { min: 1 } },
            { id: 'retrieve.ms', label: 'a prompt\'s retrieval: query embedded over RPC, index searched (median of 20)', value: median(whole), unit: 'ms', samples: whole },
        ];
    },
};
