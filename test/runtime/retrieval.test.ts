// Retrieval on the real runtime: embeddings of the fixture models checked against the independent reference forward
// pass (the final-norm hidden state of the text's last token, which llama.cpp returns for a model without pooling),
// indexes built through the runtime client searched by the Orama store and by retrievePassages against the brute-force
// cosine reference, incremental updates, and the errors a user meets (another model's index, no documents, a bad file,
// a text longer than the embedding context).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import {
    bruteForceSearch, buildRetrievalIndex, OramaVectorStore, readRetrievalIndex, retrievePassages, unitVector,
} from '../../src/core/retrieval';
import { EmbeddingError } from '../../src/shared/errors/EmbeddingError';
import { EmbeddingModelMismatchError } from '../../src/shared/errors/EmbeddingModelMismatchError';
import { InvalidUtf8Error } from '../../src/shared/errors/InvalidUtf8Error';
import { ModelFileError } from '../../src/shared/errors/ModelFileError';
import { NoDocumentsError } from '../../src/shared/errors/NoDocumentsError';
import { fixtureModelPath, otherFixtureModelPath, zooModelPath } from '../support/fixtures';
import { loadReferenceModel } from '../support/referenceModel';
import { newClient } from './helpers';

const topics = ['cats and their sleep', 'the ocean tides', 'baking bread at home', 'mountain hiking routes', 'the history of printing', 'planting a vegetable garden'];

/** A folder of markdown and text documents, some long enough for several chunks. */
async function writeDocuments(folder: string): Promise<void> {
    await mkdir(join(folder, 'notes'), { recursive: true });
    for (const [i, topic] of topics.entries()) {
        const body = Array.from({ length: 3 + i }, (_, p) => `Paragraph ${p + 1} about ${topic}. It mentions ${topic} again with detail number ${p * 7 + i}.`).join('\n\n');
        await writeFile(join(folder, i % 2 === 0 ? `doc${i}.md` : join('notes', `doc${i}.txt`)), `# ${topic}\n\n${body}\n`);
    }
    await writeFile(join(folder, 'picture.png'), 'not indexed');
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
    assert.equal(a.length, b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    return worst;
}

describe('retrieval on the runtime', () => {
    let client: RuntimeClient;
    let model: string;
    let workspace: string;

    before(async () => {
        model = await fixtureModelPath();
        ({ client } = newClient());
        workspace = await mkdtemp(join(tmpdir(), 'promptscope-retrieval-'));
    });

    after(async () => {
        await client?.dispose();
        if (workspace) await rm(workspace, { recursive: true, force: true });
    });

    for (const name of ['tiny', 'qwen2'] as const) {
        test(`${name} fixture: embeddings equal the reference's final-norm hidden state of the last token`, async () => {
            const path = name === 'tiny' ? model : await zooModelPath('qwen2');
            const reference = await loadReferenceModel(path);
            const texts = ['Hello world', 'The quick brown fox jumps over the lazy dog.', 'Cats sleep most of the day; dogs walk.'];
            const result = await client.embed({ model: path, texts });
            assert.equal(result.vectors.length, texts.length);
            const generation = newClient().client;
            try {
                await generation.loadModel({ model: path, gpu: 'off', threads: 1 });
                for (const [i, text] of texts.entries()) {
                    // node-llama-cpp prepends BOS where the tokenizer asks for it (llama's SPM), not for qwen2's BPE.
                    const withBos = await generation.tokenize(text, { addBos: true });
                    const without = await generation.tokenize(text);
                    const tokens = result.tokens[i] === without.length ? without : withBos;
                    assert.equal(result.tokens[i], tokens.length, `text ${i}: tokens evaluated`);
                    const expected = reference.forward(tokens).embeddings.at(-1)!;
                    assert.equal(result.dimensions, expected.length);
                    const scale = Math.max(...Array.from(expected, Math.abs));
                    const worst = maxDifference(result.vectors[i]!, expected);
                    process.stderr.write(`${name}: embedding of text ${i}: max |Δ| ${worst.toExponential(2)} (largest component ${scale.toFixed(2)})\n`);
                    // The embedding context keeps node-llama-cpp's F16 KV cache: ~1e-3 relative, as token probabilities show without exact mode.
                    assert.ok(worst <= 5e-3 * Math.max(1, scale), `text ${i} differs by ${worst}`);
                }
            } finally {
                await generation.dispose();
            }
        });
    }

    test('embedding is deterministic: one text alone, in a batch, and again give the same vector', async () => {
        const alone = await client.embed({ model, texts: ['Paragraph about bread.'] });
        const batch = await client.embed({ model, texts: ['Other text first.', 'Paragraph about bread.', 'Paragraph about bread.'] });
        assert.deepEqual(Array.from(batch.vectors[1]!), Array.from(alone.vectors[0]!));
        assert.deepEqual(Array.from(batch.vectors[2]!), Array.from(alone.vectors[0]!));
        assert.notDeepEqual(Array.from(batch.vectors[0]!), Array.from(alone.vectors[0]!));
    });

    test('bad embedding requests fail by class: no model file, an empty text, a text longer than the context', async () => {
        await assert.rejects(client.embed({ model: join(workspace, 'missing.gguf'), texts: ['x'] }), ModelFileError);
        await assert.rejects(client.embed({ model, texts: ['fine', '  '] }), /text 2 is empty/);
        const long = 'word '.repeat(20000);
        await assert.rejects(client.embed({ model, texts: [long] }), (error: unknown) => error instanceof EmbeddingError && /tokens long/.test(error.problem));
    });

    test('an index built through the runtime: the Orama store and retrievePassages give the brute-force neighbours', async () => {
        const docs = join(workspace, 'docs');
        await writeDocuments(docs);
        const out = join(workspace, '.promptscope', 'index', 'docs');
        const phases = new Set<string>();
        const built = await buildRetrievalIndex({
            folder: docs, out, root: workspace, model, embedder: client, chunkSize: 120, chunkOverlap: 30, batchSize: 5,
            onProgress: p => phases.add(p.phase),
        });
        assert.deepEqual([...phases], ['read', 'embed', 'write']);
        assert.equal(built.manifest.files.length, topics.length);
        assert.equal(built.skipped, 1);
        assert.ok(built.manifest.chunks > topics.length, `${built.manifest.chunks} chunks`);
        assert.equal(built.embeddedChunks, built.manifest.chunks);

        const index = await readRetrievalIndex(out);
        // The stored vectors are the unit vectors of what the runtime gives for each chunk's text, row by row.
        const again = await client.embed({ model, texts: index.chunks.slice(0, 4).map(c => c.text) });
        again.vectors.forEach((v, i) => assert.ok(maxDifference(unitVector(v), index.vectors.subarray(i * 64, (i + 1) * 64)) === 0, `row ${i}`));

        const store = new OramaVectorStore(index);
        const queries = ['bread', 'ocean tides at night', 'printing press history', 'how high are the mountains', 'cats sleep'];
        const embedded = await client.embed({ model, texts: queries });
        for (const [q, query] of queries.entries()) {
            const k = 4;
            const expected = bruteForceSearch(index.vectors, 64, embedded.vectors[q]!, k);
            const fromStore = await store.search({ vector: embedded.vectors[q]!, k });
            assert.deepEqual(fromStore.map(h => h.chunk), expected.map(h => h.chunk), `store, query ${JSON.stringify(query)}`);
            fromStore.forEach((h, r) => assert.ok(Math.abs(h.score - expected[r]!.score) < 1e-6, `store score, rank ${r}`));
            const retrieved = await retrievePassages({ index: out, query, k, embedder: client });
            assert.deepEqual(retrieved.passages.map(p => p.chunk), expected.map(h => h.chunk), `retrievePassages, query ${JSON.stringify(query)}`);
            retrieved.passages.forEach((p, r) => {
                assert.ok(Math.abs(p.score - expected[r]!.score) < 1e-6);
                assert.equal(p.rank, r + 1);
                assert.equal(p.text, index.chunks[p.chunk]!.text);
                assert.equal(p.file, index.manifest.files[index.chunks[p.chunk]!.file]!.path);
            });
        }
    });

    test('self-ask answers each follow-up with the index\'s nearest passage (scripted model, real embeddings)', async () => {
        const { executeStrategy } = await import('../../src/core/reasoning/executeStrategy');
        const { preparePrompt, PromptDocument } = await import('../../src/core/prompt');
        const docs = join(workspace, 'docs-selfask');
        await writeDocuments(docs);
        const out = join(workspace, 'selfask-index');
        await buildRetrievalIndex({ folder: docs, out, root: workspace, model, embedder: client, chunkSize: 150, chunkOverlap: 0 });
        const prompt = join(workspace, 'selfask.prompt');
        const text = '---\npromptscope.strategy: self-ask\npromptscope.selfAsk: {answerWith: retrieval, maxFollowUps: 2}\n'
            + 'promptscope.retrieval: {index: selfask-index, query: "{{question}}", k: 2}\n---\n'
            + '{{#each @retrieved}}{{text}}\n{{/each}}{{question}}\n';
        const run = await preparePrompt(PromptDocument.fromText(text, prompt), { input: { question: 'How long should bread bake?' }, embedder: client });
        assert.equal(run.retrieval?.passages.length, 2);
        // The model's turns are scripted (the control flow is what is tested); the follow-ups' answers come from the index.
        const replies = ['Follow up: baking bread at home', 'Follow up: the ocean tides', 'So the final answer is: 42'];
        const asked: string[][] = [];
        const scripted = {
            async chat(request: { messages: { role: string; text: string }[] }) {
                asked.push(request.messages.map(m => m.text));
                return { text: replies[asked.length - 1]!, seed: 1, timing: { promptTokens: 1, generatedTokens: 1 } };
            },
            async chatMany(): Promise<never> { throw new Error('self-ask samples no paths'); },
        };
        const outcome = await executeStrategy(scripted, run, { strategy: 'self-ask', flags: {}, embedder: client });
        assert.equal(outcome.answer, '42');
        assert.equal(outcome.followUps?.length, 2);
        const index = await readRetrievalIndex(out);
        const questions = ['baking bread at home', 'the ocean tides'];
        const embedded = await client.embed({ model, texts: questions });
        outcome.followUps!.forEach((step, i) => {
            const [best] = bruteForceSearch(index.vectors, 64, embedded.vectors[i]!, 1);
            assert.equal(step.question, questions[i]);
            assert.equal(step.passage?.chunk, best!.chunk, `follow-up ${i + 1}`);
            assert.ok(Math.abs(step.passage!.score - best!.score) < 1e-6);
            assert.equal(step.answer, index.chunks[best!.chunk]!.text);
            // The passage went back to the model as the intermediate answer.
            assert.ok(asked[i + 1]!.at(-1)!.includes(`Intermediate answer: ${index.chunks[best!.chunk]!.text}`));
        });
        // Without an embedder (a caller with no runtime) the strategy cannot answer by retrieval.
        const { RetrievalUnavailableError } = await import('../../src/core/prompt');
        await assert.rejects(executeStrategy(scripted, run, { strategy: 'self-ask', flags: {} }), RetrievalUnavailableError);
    });

    test('an update embeds only changed files; another model\'s index, an empty folder and a bad file are refused', async () => {
        const docs = join(workspace, 'docs2');
        await writeDocuments(docs);
        const out = join(workspace, 'index2');
        const first = await buildRetrievalIndex({ folder: docs, out, root: workspace, model, embedder: client, chunkSize: 200, chunkOverlap: 0 });
        await writeFile(join(docs, 'doc0.md'), '# Changed\n\nA new text about rivers.\n');
        const second = await buildRetrievalIndex({ folder: docs, out, root: workspace, model, embedder: client, chunkSize: 200, chunkOverlap: 0 });
        assert.equal(second.embeddedFiles, 1);
        assert.equal(second.reusedFiles, topics.length - 1);
        assert.equal(second.embeddedChunks, 1);
        const before = await readRetrievalIndex(out);
        const rebuilt = await buildRetrievalIndex({ folder: docs, out: join(workspace, 'index3'), root: workspace, model, embedder: client, chunkSize: 200, chunkOverlap: 0 });
        const fresh = await readRetrievalIndex(join(workspace, 'index3'));
        assert.deepEqual(Array.from(before.vectors), Array.from(fresh.vectors), 'an updated index equals one built from scratch');
        assert.ok(first.manifest.chunks > 0 && rebuilt.manifest.chunks === second.manifest.chunks);

        const other = await otherFixtureModelPath();
        await assert.rejects(buildRetrievalIndex({ folder: docs, out, root: workspace, model: other, embedder: client }), EmbeddingModelMismatchError);
        const replaced = await buildRetrievalIndex({ folder: docs, out, root: workspace, model: other, embedder: client, rebuild: true });
        assert.equal(replaced.manifest.model.dimensions, 32);

        await mkdir(join(workspace, 'empty', 'sub'), { recursive: true });
        await writeFile(join(workspace, 'empty', 'sub', 'data.bin'), 'x');
        await assert.rejects(buildRetrievalIndex({ folder: join(workspace, 'empty'), out: join(workspace, 'index4'), root: workspace, model, embedder: client }),
            (error: unknown) => error instanceof NoDocumentsError && /1 other file skipped/.test(error.message));
        await mkdir(join(workspace, 'bad'));
        await writeFile(join(workspace, 'bad', 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
        await assert.rejects(buildRetrievalIndex({ folder: join(workspace, 'bad'), out: join(workspace, 'index5'), root: workspace, model, embedder: client }),
            (error: unknown) => error instanceof InvalidUtf8Error && error.message.includes('latin1.txt'));
    });
});
