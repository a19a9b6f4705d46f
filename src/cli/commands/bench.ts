import { fixtureArchitectures, type FixtureArchitectureName, type FixtureSize } from '../../core/fixtures';
import type { GpuSetting } from '../../shared/runtimeApi';
import { benchFixture } from '../bench/benchFixture';
import { BenchRunner } from '../bench/BenchRunner';
import type { BenchSection } from '../bench/BenchSection';
import { describeMachine, formatBenchMarkdown, formatBenchReport, type BenchReport } from '../bench/formatBenchReport';
import { benchSections } from '../bench/sections';
import type { CliCommand } from '../CliCommand';
import { integerFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { chooseModel } from '../runtimeSession';
import { UsageError } from '../UsageError';
import { checkOutputPath, writeOutputFile } from '../outputFlag';

const architectureNames = Object.keys(fixtureArchitectures) as FixtureArchitectureName[];

const usage = `Usage: promptscope bench [--model M]… [--size tiny|100m|400m]… [--arch A]… [--vocab N] [options]

Measures prompt processing and generation speed of the runtime host (over RPC) and of node-llama-cpp
called in this process, side by side on the same model and threads, and prints the ratio host / in-process
(the RPC overhead ratio, goal ≥ 0.95). With a reference build, also compares with llama.cpp's own llama-bench,
and N paths of one prompt (N = 1, 4, 8, 16: self-consistency) with llama.cpp's llama-batched-bench.
Runs alternate between the two paths; each figure is the median of --repeat runs.

Models: the project's tiny fixture model (written into .cache/fixtures/bench/ when missing) unless --model
or --size is given; --size benches the fixture of that size (repeatable, and combinable with --model).

Options:
  --model M            A .gguf path or hf:owner/repo:quant to measure (repeatable)
  --size S             Fixture model size: tiny (default), 100m or 400m (repeatable)
  --arch A             Fixture family (repeatable; default llama): ${architectureNames.join(', ')}; each --size is
                       benched in each family, and BENCHMARKS.md gets a per-architecture table
  --vocab N            Vocabulary size of the fixtures, e.g. 152064 (qwen2's) or 262144 (gemma3's)
  --threads N          CPU threads for both paths (default: physical cores - 1); repeatable: each model at each count
  --gpu G              auto | cuda | metal | vulkan | off (default auto)
  --repeat N           Repetitions of each measurement (default 3)
  --prompt-tokens N    Prompt length for prompt processing (default 512; capped to the context)
  --gen-tokens N       Tokens to generate, greedy (default 128; capped to the context)
  --seed N             Sampling seed (default 1)
  --reference          Build llama.cpp's llama-bench and llama-batched-bench from node-llama-cpp's bundled source
                       when not cached (~5 minutes, once) and compare with them; without this flag cached builds
                       are used if present
  --sections A,B       Run only these sections, by id (default: all: ${benchSections.map(s => s.id).join(', ')})
  --json               Print one JSON object with every figure
  --markdown FILE      Also write the report as Markdown to FILE, replacing it (how BENCHMARKS.md is made)
  --verbose            Log llama.cpp's messages and errors' stack traces to stderr
`;

const sizes: readonly FixtureSize[] = ['tiny', '100m', '400m'];

export const benchCommand: CliCommand = {
    name: 'bench',
    summary: 'Measure tokens/s of the runtime host vs node-llama-cpp in-process (and llama.cpp\'s llama-bench)',
    usage,
    options: {
        model: { type: 'string', multiple: true },
        size: { type: 'string', multiple: true },
        arch: { type: 'string', multiple: true },
        vocab: { type: 'string' },
        threads: { type: 'string', multiple: true },
        gpu: { type: 'string' },
        repeat: { type: 'string' },
        'prompt-tokens': { type: 'string' },
        'gen-tokens': { type: 'string' },
        seed: { type: 'string' },
        reference: { type: 'boolean' },
        markdown: { type: 'string' },
        sections: { type: 'string' },
    },
    async run({ values, json, verbose }) {
        // The in-process path gets the runtime host's libuv pool of one worker (HostProcess explains why), so both
        // paths run llama.cpp the same way; libuv reads it when the pool starts, at the first async work below.
        process.env.UV_THREADPOOL_SIZE ??= '1';
        const fixtureSizes = [...(values.size as FixtureSize[] | undefined) ?? []];
        for (const size of fixtureSizes) {
            if (!sizes.includes(size)) throw new UsageError(`--size must be one of ${sizes.join(', ')}, got ${String(size)}`);
        }
        const archs = [...(values.arch as string[] | undefined) ?? []] as FixtureArchitectureName[];
        for (const arch of archs) {
            if (!architectureNames.includes(arch)) throw new UsageError(`--arch must be one of ${architectureNames.join(', ')}, got ${String(arch)}`);
        }
        const vocab = positive(values, 'vocab');
        const repeat = positive(values, 'repeat');
        const promptTokens = positive(values, 'prompt-tokens');
        const genTokens = positive(values, 'gen-tokens');
        const seed = integerFlag(values, 'seed');
        // Repeatable: every model is measured at each thread count, in one run and one report.
        const threadCounts = ((values.threads as string[] | undefined) ?? []).map(value => {
            const threads = integerFlag({ threads: value }, 'threads');
            if (threads === undefined || threads < 1) throw new UsageError(`--threads must be at least 1, got ${value}`);
            return threads;
        });
        // Checked before minutes of measuring: a directory, a link or an unwritable folder is reported now.
        if (typeof values.markdown === 'string') checkOutputPath('--markdown', values.markdown);
        // Progress goes to stderr so that stdout is exactly the report (or the JSON).
        const log = (line: string) => { process.stderr.write(line + '\n'); };

        const modelFlags = (values.model as string[] | undefined) ?? [];
        // PROMPTSCOPE_MODEL is not consulted: without --model the benchmark measures the fixture, so runs compare.
        const models = modelFlags.map(model => chooseModel(model));
        // --arch or --vocab alone means fixtures of the default size.
        if ((models.length === 0 || archs.length > 0 || vocab !== undefined) && fixtureSizes.length === 0) fixtureSizes.push('tiny');
        if (archs.length === 0) archs.push('llama');
        const fixtures: string[] = [];
        for (const arch of archs) {
            for (const size of fixtureSizes) fixtures.push(await benchFixture(size, log, { arch, vocab }));
        }
        models.unshift(...fixtures);

        const runner = new BenchRunner(chooseSections(values.sections as string | undefined), {
            gpu: values.gpu as GpuSetting | undefined, repeat, promptTokens, genTokens, seed,
            reference: values.reference === true, verbose, log,
        });
        const report: BenchReport = {
            command: ['promptscope', 'bench', ...process.argv.slice(3)].join(' '),
            date: new Date().toISOString(),
            machine: describeMachine(),
            models: [],
        };
        for (const model of models) {
            if (threadCounts.length === 0) report.models.push(await runner.runModel(model));
            for (const threads of threadCounts) report.models.push(await runner.runModel(model, threads));
        }
        if (json) printJson(report);
        else process.stdout.write(formatBenchReport(report));
        if (typeof values.markdown === 'string') {
            log(`Wrote ${writeOutputFile('--markdown', values.markdown, formatBenchMarkdown(report))}`);
        }
    },
};

function chooseSections(flag: string | undefined): BenchSection[] {
    if (flag === undefined) return benchSections;
    const ids = flag.split(',').map(id => id.trim()).filter(id => id !== '');
    const unknown = ids.filter(id => !benchSections.some(s => s.id === id));
    if (unknown.length > 0 || ids.length === 0) {
        throw new UsageError(`--sections takes ids among ${benchSections.map(s => s.id).join(', ')}; got ${JSON.stringify(flag)}`);
    }
    // Report order stays that of benchSections: a section may read the figures of those before it.
    return benchSections.filter(s => ids.includes(s.id));
}

function positive(values: Record<string, unknown>, name: string): number | undefined {
    const value = integerFlag(values, name);
    if (value !== undefined && value < 1) throw new UsageError(`--${name} must be at least 1, got ${value}`);
    return value;
}
