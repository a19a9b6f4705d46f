import type { LoadModelOptions, ModelInfo } from '../../shared/runtimeApi';
import type { RuntimeClient } from '../../runtime/client/RuntimeClient';
import type { ModelReport, SectionReport } from './BenchRunner';

/**
 * One part of `promptscope bench`: measures something on the model under test and returns figures. The report is
 * a table of sections, run in the order of `benchSections` (src/cli/bench/sections.ts); add a feature's figures by
 * writing a section and appending it there.
 */
export interface BenchSection {
    /** Stable key in the JSON report, e.g. `throughput`. */
    id: string;
    /** Heading of the section's table in the text report. */
    title: string;
    /**
     * Measures and returns the section's figures. Returning none means "skipped" (say why with `ctx.note`). A throw
     * aborts the whole benchmark with the error's message: catch what is merely unavailable.
     */
    run(ctx: BenchContext): Promise<BenchFigure[]>;
    /**
     * Markdown lines of the section's own summary over every model and thread count of the run, placed near the top
     * of BENCHMARKS.md under a `##` heading of its own (so that README can link to it). Defaults to none.
     */
    markdownSummary?(runs: readonly SectionRun[]): string[];
}

/** One section's report on one model at one thread count. */
export interface SectionRun {
    model: ModelReport;
    section: SectionReport;
}

/** What a section gets: the model, loaded in the runtime host, and the settings. */
export interface BenchContext {
    /** Absolute path of the GGUF being measured. */
    modelPath: string;
    /** The model as the runtime host loaded it (name, context size, backend, BOS/EOS…). */
    model: ModelInfo;
    /** CPU threads the host was loaded with; pass the same number to anything else you compare with. */
    threads: number;
    /** How many times to repeat each measurement; report the median. */
    repeat: number;
    /** Prompt length for prompt-processing measurements, already capped to what the context holds. */
    promptTokens: number;
    /** Tokens to generate for generation measurements, already capped to what the context holds. */
    genTokens: number;
    /** Sampling seed for anything that samples (measurements use greedy decoding, so it only matters for sampled runs). */
    seed: number;
    /** Whether `--reference` was given: build llama.cpp's own llama-bench when it is not cached yet. */
    reference: boolean;
    /** The runtime host (child process, over RPC) with the model loaded. Shared by all sections: leave the model loaded. */
    client: RuntimeClient;
    /**
     * The options the host was loaded with, for a section that needs a runtime of its own (e.g. another context size,
     * or the in-process baseline of the throughput section: see inProcessEngine.ts).
     */
    loadOptions: LoadModelOptions;
    /** Whether `--verbose` was given: a runtime of a section's own routes its logs to stderr too. */
    verbose: boolean;
    /** Figures of the sections that ran before this one, by section id (e.g. to compute ratios against them). */
    results: ReadonlyMap<string, readonly BenchFigure[]>;
    /** Progress line for the person waiting (stderr); not part of the report. */
    log(line: string): void;
    /** A remark that belongs in the report under this section's table (and in the JSON), e.g. why it was skipped. */
    note(line: string): void;
}

/** One measured (or derived) number: a row of a section's table. */
export interface BenchFigure {
    /** Stable key within the section, e.g. `pp.host`. The JSON report keeps it; scripts compare runs by it. */
    id: string;
    /** What a reader sees, e.g. `prompt processing (512 tokens), runtime host over RPC`. */
    label: string;
    /** The median when the measurement was repeated. Kept unrounded; the text report rounds. */
    value: number;
    /** `tok/s`, `ms`, `×` (a ratio)… */
    unit: string;
    /** Every repetition's value, when repeated. Defaults to none (a derived figure, such as a ratio). */
    samples?: number[];
    /** What the value should reach, e.g. `{ min: 0.95 }` for "goal ≥ 0.95". Defaults to none (no goal). */
    goal?: BenchGoal;
}

export interface BenchGoal {
    /** The value should be at least this. Defaults to no lower bound. */
    min?: number;
    /** The value should be at most this. Defaults to no upper bound. */
    max?: number;
}

/** Whether a figure meets its goal; undefined when it has none. */
export function meetsGoal(figure: BenchFigure): boolean | undefined {
    const goal = figure.goal;
    if (!goal) return undefined;
    return (goal.min === undefined || figure.value >= goal.min) && (goal.max === undefined || figure.value <= goal.max);
}
