import { evaluateDataset } from '../../core/reasoning/evaluateDataset';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import { EmbeddedBackend } from '../../runtime/backends/EmbeddedBackend';
import type { InferenceBackend } from '../../runtime/backends/InferenceBackend';
import { OpenAiCompatibleBackend } from '../../runtime/backends/openai/OpenAiCompatibleBackend';
import { nodeLlamaCppFolder } from '../../runtime/build/nodeLlamaCppFolder';
import type { BenchContext, BenchFigure, BenchSection } from './BenchSection';
import { LlamaServerProcess } from './LlamaServerProcess';
import { ReferenceBuild } from './ReferenceBuild';

/** Rows of the evaluation, as the figure asks. */
export const scaleRows = 200;
/** Self-consistency paths per row. */
export const scalePaths = 4;
/** Tokens per path: short answers, as a labelled dataset's are. */
const tokensPerPath = 8;

/** One way of serving the evaluation. */
interface Setup {
    id: string;
    label: string;
    /** llama-server processes and the slots of each; none for the embedded runtime. */
    servers: number[];
}

const setups: Setup[] = [
    { id: 'embedded', label: 'embedded runtime (one request at a time)', servers: [] },
    { id: 'server1', label: 'llama-server, 1 slot', servers: [1] },
    { id: 'server2', label: 'llama-server, 2 slots', servers: [2] },
    { id: 'server4', label: 'llama-server, 4 slots', servers: [4] },
    { id: 'servers2x2', label: 'two llama-servers of 2 slots, round-robin', servers: [2, 2] },
];

/**
 * Scaling out (issue 22): a 200-row dataset evaluation with self-consistency (N = 4, seeded), the same rows through
 * the embedded runtime and through llama.cpp's llama-server (its reference build) with 1, 2 and 4 slots, and two
 * servers behind the client's round-robin. Rows in flight = the slots in all (the backend's default), so each figure is
 * what `promptscope eval --backend` does by default. Reported: rows per second and the speed-up over the embedded
 * runtime. The servers run with the bench's thread count each (two servers share the cores, as two processes on one
 * machine do).
 */
export const scaleSection: BenchSection = {
    id: 'scale',
    title: `Scaling out: ${scaleRows}-row evaluation, self-consistency N = ${scalePaths}, embedded vs llama-server`,
    async run(ctx: BenchContext): Promise<BenchFigure[]> {
        const binary = await findServer(ctx);
        if (!binary) return [];
        const rows = Array.from({ length: scaleRows }, (_, i) => ({ question: `What is ${i % 17} plus ${(i * 7) % 13}?`, expected: String((i % 17) + ((i * 7) % 13)) }));
        const run = (question: string): PromptRun => ({
            file: undefined, messages: [{ role: 'user', text: question }], sampling: { maxTokens: tokensPerPath }, lora: [], settings: {}, promptHash: 'bench',
        });
        const evaluate = async (backend: InferenceBackend, concurrency: number) => {
            const started = performance.now();
            const evaluation = await evaluateDataset(backend, {
                strategy: 'self-consistency', flags: {}, samples: scalePaths, seed: ctx.seed, rows, expectedField: 'expected', verbalizer: undefined, concurrency,
                prepareRow: async input => ({ run: run(String(input.question)) }),
            });
            return { seconds: (performance.now() - started) / 1000, generated: evaluation.tokens.generated };
        };

        const figures: BenchFigure[] = [];
        let embeddedRate: number | undefined;
        for (const setup of setups) {
            ctx.log(`  ${setup.label}: ${scaleRows} rows × ${scalePaths} paths`);
            const servers: LlamaServerProcess[] = [];
            try {
                let backend: InferenceBackend;
                let concurrency = 1;
                if (setup.servers.length === 0) {
                    backend = new EmbeddedBackend(ctx.client, ctx.model);
                } else {
                    for (const slots of setup.servers) {
                        servers.push(await LlamaServerProcess.start(binary, ctx.modelPath, {
                            parallel: slots, threads: ctx.threads, contextPerSlot: 256, alias: 'bench',
                            // The embedded runtime's KV cache is F16 with flash attention on auto, as llama-server's default.
                        }));
                    }
                    const server = await OpenAiCompatibleBackend.connect({ urls: servers.map(s => s.url) });
                    backend = server;
                    concurrency = server.concurrency;
                }
                // Untimed: one row, so the first measured row does not pay for a context's creation.
                await evaluateDataset(backend, {
                    strategy: 'self-consistency', flags: {}, samples: scalePaths, seed: ctx.seed, rows: rows.slice(0, 1), expectedField: 'expected',
                    verbalizer: undefined, prepareRow: async input => ({ run: run(String(input.question)) }),
                });
                const measured = await evaluate(backend, concurrency);
                if (setup.servers.length > 0) await backend.close();
                const rate = scaleRows / measured.seconds;
                embeddedRate ??= rate;
                figures.push({ id: `${setup.id}.rowsPerSecond`, label: `${setup.label}: rows per second`, value: rate, unit: 'rows/s' });
                figures.push({ id: `${setup.id}.tokensPerSecond`, label: `${setup.label}: generated tokens per second`, value: measured.generated / measured.seconds, unit: 'tok/s' });
                if (setup.id !== 'embedded') figures.push({ id: `${setup.id}.speedup`, label: `${setup.label}: speed-up over the embedded runtime`, value: rate / embeddedRate, unit: '×' });
            } finally {
                await Promise.all(servers.map(s => s.stop()));
            }
        }
        ctx.note(`${scaleRows} rows, ${scalePaths} paths of ${tokensPerPath} tokens each at temperature 0.7, seed ${ctx.seed}; rows in flight = the servers' slots in all; `
            + `each server with ${ctx.threads} thread(s) (two servers share the cores); llama-server ${binary}`);
        return figures;
    },
};

/** The reference build's llama-server, building it when `--reference` asks; undefined (with a note why) when there is none. */
async function findServer(ctx: BenchContext): Promise<string | undefined> {
    const nodeLlamaCppDir = nodeLlamaCppFolder();
    if (!nodeLlamaCppDir) {
        ctx.note('left out: node-llama-cpp\'s package folder (with its bundled llama.cpp source) was not found');
        return undefined;
    }
    if (ctx.model.backend !== 'cpu') {
        ctx.note(`left out: the model runs on ${ctx.model.backend}, and llama-server is built for the CPU here`);
        return undefined;
    }
    const cached = ReferenceBuild.find({ nodeLlamaCppDir }, 'llama-server');
    if (cached) return cached;
    if (!ctx.reference) {
        ctx.note('left out: no llama-server build yet; `npm run bench -- --reference` builds it once (cached) from the bundled llama.cpp source');
        return undefined;
    }
    ctx.log('Building the reference llama-server (once; a few minutes next to an existing reference build)…');
    return ReferenceBuild.build({ nodeLlamaCppDir, onLine: line => ctx.log(`  ${line}`) }, 'llama-server');
}
