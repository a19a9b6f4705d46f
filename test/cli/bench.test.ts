// `promptscope bench` as `npm run bench` runs it: the built CLI in a child process, on the tiny fixture with small
// token counts. No speed thresholds here (a shared 2-core machine makes them flaky): speed goals live in the
// benchmark's own report; this checks the report's shape and arithmetic.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/runCli';
import { parseBatchedBenchJsonl, ReferenceBatchedBench } from '../../src/cli/bench/ReferenceBatchedBench';
import { formatNPathsCost, nPathsCounts } from '../../src/cli/bench/nPathsSection';
import { formatBinaries } from '../../src/cli/bench/referenceSection';
import { fixtureArchitectures } from '../../src/core/fixtures';




interface Figure { id: string; label: string; value: number; unit: string; samples?: number[]; goal?: { min?: number; max?: number } }
interface Section { id: string; title: string; figures: Figure[]; notes: string[] }
interface Report {
    command: string;
    date: string;
    machine: { cpu: string; logicalCores: number; memoryGiB: number; os: string; node: string; loadAverage: number };
    models: {
        path: string; name: string; threads: number; contextSize: number; promptTokens: number; genTokens: number; repeat: number;
        sections: Section[];
    }[];
}

function assertPositiveFinite(value: unknown, what: string): void {
    assert.equal(typeof value, 'number', what);
    assert.ok(Number.isFinite(value) && (value as number) > 0, `${what} = ${String(value)}`);
}

describe('promptscope bench', () => {
    test('--json: host and in-process figures for the fixture, ratio = host / in-process', async () => {
        const run = await runCli(['bench', '--json', '--repeat', '1', '--prompt-tokens', '64', '--gen-tokens', '16']);
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as Report;
        assert.match(report.command, /^promptscope bench /);
        assert.ok(report.machine.logicalCores >= 1);
        assert.equal(typeof report.machine.loadAverage, 'number');
        assert.equal(report.models.length, 1);
        const model = report.models[0]!;
        assert.match(model.path, /\.cache[\\/]fixtures[\\/]bench[\\/]tiny-seed1\.gguf$/);
        assert.equal(model.promptTokens, 64);
        assert.equal(model.genTokens, 16);
        assert.equal(model.repeat, 1);
        assert.ok(Number.isInteger(model.threads) && model.threads >= 1);

        assert.deepEqual(model.sections.map(s => s.id).slice(0, 2), ['throughput', 'reference']);
        for (const section of model.sections) {
            assert.equal(typeof section.title, 'string');
            assert.ok(Array.isArray(section.notes));
            for (const figure of section.figures) assert.ok(Number.isFinite(figure.value), `${section.id}/${figure.id}`);
        }
        // Other features' sections own their figures' meaning (a count may be 0); these two's are all rates or ratios.
        for (const section of model.sections.slice(0, 2)) {
            for (const figure of section.figures) assertPositiveFinite(figure.value, `${section.id}/${figure.id}`);
        }

        const throughput = new Map(model.sections[0]!.figures.map(f => [f.id, f]));
        assert.deepEqual([...throughput.keys()], ['pp.host', 'pp.inProcess', 'pp.ratio', 'tg.host', 'tg.inProcess', 'tg.ratio']);
        for (const test of ['pp', 'tg']) {
            const host = throughput.get(`${test}.host`)!;
            const inProcess = throughput.get(`${test}.inProcess`)!;
            const ratio = throughput.get(`${test}.ratio`)!;
            assert.equal(host.unit, 'tok/s');
            assert.equal(host.samples?.length, 1);
            assert.equal(inProcess.samples?.length, 1);
            assert.ok(Math.abs(ratio.value - host.value / inProcess.value) <= 1e-12 * ratio.value, `${test} ratio`);
            assert.deepEqual(ratio.goal, { min: 0.95 });
        }

        // Without --reference, the reference section either used a cached build or says how to enable it.
        const reference = model.sections[1]!;
        if (reference.figures.length === 0) assert.match(reference.notes.join('\n'), /--reference/);
        else assert.ok(reference.figures.some(f => f.id === 'pp.llamaBench'));

        // Self-consistency's 8 paths / one path compares the runtime with itself: a figure without a goal.
        const selfConsistency = model.sections.find(s => s.id === 'selfConsistency')!;
        assert.equal(selfConsistency.figures.find(f => f.id === 'ratio')?.goal, undefined);

        // Beam search k = 4 against greedy of the same length, with its goal.
        const beam = new Map(model.sections.find(s => s.id === 'beamSearch')!.figures.map(f => [f.id, f]));
        assertPositiveFinite(beam.get('beam.ms')?.value, 'beam.ms');
        assert.deepEqual(beam.get('ratio')?.goal, { max: 2 });

        // Speculative decoding: each drafter against plain generation, its acceptance and costs; llama.cpp's beside it when cached.
        const speculative = model.sections.find(s => s.id === 'speculative')!;
        const spec = new Map(speculative.figures.map(f => [f.id, f]));
        assertPositiveFinite(spec.get('plain.tps')?.value, 'plain.tps');
        for (const drafter of ['q8', 'q4', 'lookup']) {
            assertPositiveFinite(spec.get(`${drafter}.tps`)?.value, `${drafter}.tps`);
            assertPositiveFinite(spec.get(`${drafter}.speedup`)?.value, `${drafter}.speedup`);
            const acceptance = spec.get(`${drafter}.acceptance`)!.value;
            assert.ok(acceptance >= 0 && acceptance <= 100, `${drafter} acceptance ${acceptance}`);
            if (spec.has(`${drafter}.vsReference`)) assert.deepEqual(spec.get(`${drafter}.vsReference`)!.goal, { min: 0.9 });
        }
        assert.equal(spec.has('tiny.tps'), false, 'the tiny fixture drafts only for larger fixtures');
        if (!spec.has('q8.vsReference')) assert.match(speculative.notes.join('\n'), /--reference/);

        // N paths: ours at every N; llama-batched-bench beside it when a reference build is cached (never built here).
        const nPaths = model.sections.find(s => s.id === 'nPaths')!;
        const paths = new Map(nPaths.figures.map(f => [f.id, f]));
        assert.equal(paths.get('promptTokens')?.value, 65);
        for (const n of nPathsCounts) {
            assertPositiveFinite(paths.get(`n${n}.ms`)?.value, `n${n}.ms`);
            assertPositiveFinite(paths.get(`n${n}.tokensPerSecond`)?.value, `n${n}.tokensPerSecond`);
        }
        if (paths.has('n1.llamaBatchedBench.ms')) {
            for (const n of nPathsCounts) {
                const ours = paths.get(`n${n}.ms`)!;
                const theirs = paths.get(`n${n}.llamaBatchedBench.ms`)!;
                const ratio = paths.get(`n${n}.speedRatio`)!;
                assert.ok(Math.abs(ratio.value - theirs.value / ours.value) <= 1e-12 * ratio.value, `n${n} speed ratio`);
                assert.deepEqual(ratio.goal, { min: 0.9 });
                assert.deepEqual(paths.get(`n${n}.tokensPerSecondRatio`)?.goal, { min: 0.9 });
            }
        } else {
            assert.match(nPaths.notes.join('\n'), /--reference/);
        }

        // Scaling out: with a cached llama-server build, rows/s of each setup and speed-ups over the embedded runtime.
        const scale = model.sections.find(s => s.id === 'scale')!;
        const scaling = new Map(scale.figures.map(f => [f.id, f]));
        if (scaling.size > 0) {
            const embedded = scaling.get('embedded.rowsPerSecond')!.value;
            assertPositiveFinite(embedded, 'embedded rows/s');
            for (const setup of ['server1', 'server2', 'server4', 'servers2x2']) {
                const rate = scaling.get(`${setup}.rowsPerSecond`)!.value;
                assertPositiveFinite(rate, `${setup} rows/s`);
                assert.ok(Math.abs(scaling.get(`${setup}.speedup`)!.value - rate / embedded) <= 1e-12 * rate / embedded, `${setup} speed-up`);
            }
        } else {
            assert.match(scale.notes.join('\n'), /--reference/);
        }
    });

    test('--threads repeated: one report per thread count, each loaded with its count; --markdown lists the goals', async () => {
        const markdown = join(tmpdir(), `promptscope-bench-${process.pid}.md`);
        const run = await runCli(['bench', '--json', '--repeat', '1', '--prompt-tokens', '16', '--gen-tokens', '4',
            '--sections', 'throughput', '--threads', '1', '--threads', '2', '--markdown', markdown]);
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as Report;
        assert.deepEqual(report.models.map(m => m.threads), [1, 2]);
        const text = readFileSync(markdown, 'utf8');
        rmSync(markdown, { force: true });
        assert.match(text, /^## Goals$/m);
        assert.match(text, /^\| Promptscope fixture tiny .*\| 1 \| pp RPC overhead ratio, host \/ in-process \(median of the repetitions. ratios\) \| [\d.]+ × \| goal ≥ 0\.95: (met|NOT MET) \|$/m);
        assert.match(text, /^## .+, 1 thread$/m);
        assert.match(text, /^## .+, 2 threads$/m);
        const bad = await runCli(['bench', '--threads', '0']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--threads must be at least 1/);
    });

    test('--arch for every family of the zoo, --vocab: label scoring figures and a per-architecture table row for each', async () => {
        const archs = Object.keys(fixtureArchitectures);
        const markdown = join(tmpdir(), `promptscope-bench-arch-${process.pid}.md`);
        const run = await runCli(['bench', '--json', '--repeat', '1', '--threads', '1', '--gen-tokens', '4', '--vocab', '3000',
            '--sections', 'tokenProbabilities,labelScoring,attention', ...archs.flatMap(a => ['--arch', a]), '--markdown', markdown]);
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as Report;
        assert.equal(report.models.length, archs.length);
        const text = readFileSync(markdown, 'utf8');
        rmSync(markdown, { force: true });
        assert.match(text, /^## Per architecture$/m);
        for (const [i, model] of report.models.entries()) {
            assert.match(model.path, new RegExp(`${archs[i] === 'llama' ? '' : `${archs[i]}-`}tiny-vocab3000-seed1\\.gguf$`));
            const scoring = new Map(model.sections.find(s => s.id === 'labelScoring')!.figures.map(f => [f.id, f]));
            for (const id of ['prefill.ms', 'score.ms', 'ratio']) assertPositiveFinite(scoring.get(id)?.value, `${archs[i]} labelScoring/${id}`);
            const row = text.split('\n').find(line => line.startsWith(`| ${(model as { architecture?: string }).architecture} | ${model.name} | 3000 | 1 |`));
            assert.ok(row, `a per-architecture row for ${model.name}`);
            assert.doesNotMatch(row, /\| – \|/, 'every instrument measured');
        }
        const bad = await runCli(['bench', '--arch', 'gpt9']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--arch must be one of llama/);
    });

    test('a model file that does not exist: exit 1, one clear line, nothing on stdout', async () => {
        const missing = join(tmpdir(), 'promptscope-no-such-bench-model.gguf');
        const run = await runCli(['bench', '--model', missing, '--json', '--repeat', '1']);
        assert.equal(run.code, 1);
        assert.match(run.stderr, new RegExp(`^promptscope bench: Cannot use model file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file does not exist\\.`, 'm'));
        assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m);
        assert.equal(run.stdout, '');
    });

    test('impossible flags are usage errors (exit 2)', async () => {
        const run = await runCli(['bench', '--repeat', '0']);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /--repeat must be at least 1/);
        const section = await runCli(['bench', '--sections', 'no-such-section']);
        assert.equal(section.code, 2);
        assert.match(section.stderr, /--sections takes ids among throughput, reference/);
    });
});

describe('llama-batched-bench reference', () => {
    test('its --output-format jsonl output (captured from a run on the tiny fixture) parses into one row per path count', () => {
        const output = readFileSync(join(__dirname, 'fixtures', 'llama-batched-bench.jsonl.txt'), 'utf8');
        const rows = parseBatchedBenchJsonl(`build: 0 (v0.5.0) with cc\n${output}\nllama_perf_context_print: load time = 5 ms\n`);
        assert.deepEqual(rows.map(r => r.paths), [1, 4, 16]);
        for (const row of rows) {
            assert.equal(row.promptTokens, 65);
            assert.equal(row.genTokens, 16);
            assert.equal(row.threads, 1);
            assert.equal(row.promptShared, true);
            // batched-bench's own arithmetic: T = T_PP + T_TG, S_TG = paths × tokens / T_TG (printed to 6 decimals).
            assert.ok(Math.abs(row.totalSeconds - (row.promptSeconds + row.genSeconds)) < 2e-6, `T of ${row.paths}`);
            assert.ok(Math.abs(row.genTokensPerSecond - row.paths * row.genTokens / row.genSeconds) / row.genTokensPerSecond < 1e-3, `S_TG of ${row.paths}`);
        }
        assert.throws(() => parseBatchedBenchJsonl('{"pp": 65, "tg": 16}'), /without is_pp_shared, n_threads, pl, t_pp/);
        assert.deepEqual(parseBatchedBenchJsonl(''), []);
    });

    test('runs share the prompt in one unified KV buffer, with room for the prompt once plus every path', () => {
        const args = ReferenceBatchedBench.arguments('m.gguf', { threads: 2, promptTokens: 513, genTokens: 128, paths: 8 });
        const flag = (name: string) => args[args.indexOf(name) + 1];
        assert.equal(flag('-m'), 'm.gguf');
        assert.equal(flag('-c'), String(513 + 8 * 128));
        assert.equal(flag('-npp'), '513');
        assert.equal(flag('-ntg'), '128');
        assert.equal(flag('-npl'), '8');
        assert.equal(flag('-t'), '2');
        assert.equal(flag('--output-format'), 'jsonl');
        assert.ok(args.includes('-pps') && args.includes('-kvu'));
    });

    test('BENCHMARKS.md\'s "What N paths cost" table: a row per N, llama.cpp\'s columns blank without a reference', () => {
        const figure = (id: string, value: number, unit: string) => ({ id, label: id, value, unit });
        const lines = formatNPathsCost([{
            model: { name: 'M', threads: 2, promptTokens: 512, genTokens: 128 } as never,
            section: {
                id: 'nPaths', title: 't', notes: [], figures: [
                    figure('promptTokens', 513, 'tokens'),
                    figure('n1.ms', 1528, 'ms'), figure('n1.llamaBatchedBench.ms', 1288, 'ms'), figure('n1.speedRatio', 0.843, '×'),
                    figure('n1.tokensPerSecond', 95, 'tok/s'), figure('n1.llamaBatchedBench.tokensPerSecond', 110, 'tok/s'), figure('n1.tokensPerSecondRatio', 0.864, '×'),
                    figure('n4.ms', 3000, 'ms'), figure('n4.tokensPerSecond', 190, 'tok/s'),
                ],
            },
        }]);
        assert.equal(lines[0], '## What N paths cost');
        assert.ok(lines.some(l => l.includes('513-token prompt and 128 tokens per path')));
        assert.ok(lines.includes('| M | 2 | 1 | 1528 | 1288 | 0.843× | 95.0 | 110 | 0.864× |'), lines.join('\n'));
        assert.ok(lines.includes('| M | 2 | 4 | 3000 | — | — | 190 | — | — |'), lines.join('\n'));
        assert.equal(lines.filter(l => l.startsWith('| M |')).length, 2);
    });

    test('BENCHMARKS.md\'s "Prebuilt and optimized binaries" table: pp and tg rows beside llama-bench; none without a prebuilt run', () => {
        const figure = (id: string, value: number, unit: string) => ({ id, label: id, value, unit });
        const model = { name: 'M', threads: 2, promptTokens: 512, genTokens: 128 } as never;
        const lines = formatBinaries([{
            model,
            section: {
                id: 'reference', title: 't', notes: [], figures: [
                    figure('pp.llamaBench', 1380, 'tok/s'), figure('pp.host', 1270, 'tok/s'), figure('pp.hostVsLlamaBench', 0.92, '×'),
                    figure('pp.prebuilt', 700, 'tok/s'), figure('pp.prebuiltVsLlamaBench', 0.507, '×'),
                    figure('tg.llamaBench', 195, 'tok/s'), figure('tg.host', 181, 'tok/s'), figure('tg.hostVsLlamaBench', 0.93, '×'),
                    figure('tg.prebuilt', 150, 'tok/s'), figure('tg.prebuiltVsLlamaBench', 0.769, '×'),
                ],
            },
        }]);
        assert.equal(lines[0], '## Prebuilt and optimized binaries');
        assert.ok(lines.includes('| M | 2 | pp512 | 1270 | 700 | 1380 | 0.920× | 0.507× |'), lines.join('\n'));
        assert.ok(lines.includes('| M | 2 | tg128 | 181 | 150 | 195 | 0.930× | 0.769× |'), lines.join('\n'));
        assert.deepEqual(formatBinaries([{ model, section: { id: 'reference', title: 't', notes: [], figures: [figure('pp.host', 1270, 'tok/s')] } }]), []);
    });
});
