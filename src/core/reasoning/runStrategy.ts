import { executeStrategy, requestAdapters, type StrategyOptions, type StrategyOutcome } from './executeStrategy';
import type { RunHistory } from './history/RunHistory';
import { runRecord, type RecordedModel, type RunRecordContext } from './history/runRecord';
import type { PromptAdapter, PromptRun } from './PromptRun';
import type { StrategyModel } from './StrategyModel';

/** Where and how a run is written to the run history. */
export interface RunRecording {
    /** `run` for the CLI, `vscode-run` for the editor's Run. */
    command: 'run' | 'vscode-run';
    /** The history the run is appended to; undefined records nothing (`run --no-history`). */
    history: RunHistory | undefined;
    /** The prompt's input variables; undefined for text given directly. */
    input: Record<string, unknown> | undefined;
    model: RecordedModel;
    /** The adapters loaded with the model (the CLI: the prompt's own and `--lora`'s; the editor: `promptscope.lora`). */
    modelLora: PromptAdapter[];
}

/**
 * Runs a prompt with a strategy on a loaded model and appends the run to the run history: the one execution
 * path of `promptscope run` and the editor's Run, which differ only in how they show the outcome.
 */
export async function runStrategy(model: StrategyModel, run: PromptRun, options: StrategyOptions, recording: RunRecording): Promise<StrategyOutcome> {
    const outcome = await executeStrategy(model, run, options);
    await recordRun(recording, {
        run, outcome, sampling: { ...run.sampling, ...options.flags },
        lora: requestAdapters(run, options.adapters) ?? recording.modelLora,
    });
    return outcome;
}

/**
 * Appends one run to `recording`'s history, if it has one. {@link runStrategy} calls it; so does the CLI's streamed
 * direct run, which generates on its own.
 */
export async function recordRun(recording: RunRecording, what: Pick<RunRecordContext, 'run' | 'outcome' | 'sampling' | 'lora' | 'raw'>): Promise<void> {
    if (recording.history === undefined) return;
    const { command, input, model } = recording;
    recording.history.append(await runRecord({ command, input, model, ...what }));
}
