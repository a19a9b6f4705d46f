import type { StrategyModel } from '../../core/reasoning/StrategyModel';

/** What an experiment runs on: the loaded model behind the one strategy interface, and how many problems. */
export interface ExperimentContext {
    model: StrategyModel;
    /** The loaded model file, named in the report. */
    modelPath: string;
    /** Held-out problems (rows) per condition. */
    problems: number;
    /** Seed of the held-out set and of every sampled run. */
    seed: number;
    signal: AbortSignal;
    progress(message: string): void;
}

/** An experiment's report: its EXPERIMENTS.md section and the figures as data (`--json`). */
export interface ExperimentReport {
    id: string;
    markdown: string;
    figures: Record<string, unknown>;
}
