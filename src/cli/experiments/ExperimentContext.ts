import type { StrategyModel } from '../../core/reasoning/StrategyModel';

/** What an experiment runs on: the loaded model behind the one strategy interface, and how many problems. */
export interface ExperimentContext {
    model: StrategyModel;
    /** The loaded model file, named in the report. */
    modelPath: string;
    /**
     * The LoRA adapter an experiment applies per request (the lora experiment's): `path` absolute, `name` as the report
     * names it. Defaults to none (an experiment that needs one was given it by the command).
     */
    adapter?: { path: string; name: string };
    /** Held-out problems (rows) per condition. */
    problems: number;
    /** Seed of the held-out set and of every sampled run. */
    seed: number;
    signal: AbortSignal;
    progress(message: string): void;
}

/** A plot of an experiment, drawn as SVG and written as a PNG beside the report. */
export interface ExperimentPlot {
    /** Where the PNG goes, relative to the report's folder: the path the markdown links to. */
    path: string;
    svg: string;
}

/** An experiment's report: its EXPERIMENTS.md section and the figures as data (`--json`). */
export interface ExperimentReport {
    id: string;
    markdown: string;
    figures: Record<string, unknown>;
    /** Plots the markdown links to, rendered only when the report is written (not for `--json`). Defaults to none. */
    plots?: ExperimentPlot[];
}
