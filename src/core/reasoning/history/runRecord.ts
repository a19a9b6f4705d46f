import type { SamplingOptions } from '../../../shared/sampling';
import type { StrategyOutcome } from '../executeStrategy';
import type { PromptAdapter, PromptRun } from '../PromptRun';
import { modelFileHash } from './modelFileHash';
import type { BackendDescription } from '../../../shared/backends';

/**
 * What a history line says of the model (the runtime's `ModelInfo` has these and more), or, for a run on a server,
 * the server and the model name it serves (there is no file here to hash).
 */
export type RecordedModel = { name: string; path: string; fileSizeBytes: number } | { name: string; backend: BackendDescription };

export interface RunRecordContext {
    /** `run` and `eval` from the CLI; `vscode-run` from the editor's Run, `vscode-eval` from its Evaluate Prompt on Dataset. */
    command: 'run' | 'eval' | 'vscode-run' | 'vscode-eval';
    run: PromptRun;
    input: Record<string, unknown> | undefined;
    model: RecordedModel;
    sampling: SamplingOptions;
    lora: PromptAdapter[];
    outcome: StrategyOutcome;
    /** eval rows: the dataset file, row index and expected answer. */
    dataset?: { file: string; row: number; expected: string; correct: boolean };
    /** Whether the text was continued as is, without the chat template (`run --raw`). Defaults to `false`. */
    raw?: boolean;
}

/** One line of the run history: enough to see what ran, on which model file, and to reproduce it. */
export async function runRecord(context: RunRecordContext): Promise<Record<string, unknown>> {
    const { outcome, run, model } = context;
    return {
        time: new Date().toISOString(),
        command: context.command,
        prompt: run.file ?? null,
        promptHash: run.promptHash,
        input: context.input ?? null,
        messages: outcome.messages,
        // A file has a path (the runtime's ModelInfo also has a `backend`, its GPU backend: not the test).
        model: 'path' in model
            ? { name: model.name, path: model.path, hash: await modelFileHash(model.path), sizeBytes: model.fileSizeBytes }
            : { name: model.name, backend: model.backend },
        sampling: context.sampling,
        seed: outcome.seed ?? null,
        adapters: context.lora,
        strategy: outcome.strategy,
        outputs: outcome.outputs,
        answer: outcome.answer ?? null,
        rawAnswer: outcome.rawAnswer ?? null,
        reasoning: outcome.reasoning ?? null,
        votes: outcome.votes ?? null,
        ...(outcome.weighting === 'probability' ? { weighting: outcome.weighting, weights: outcome.weights } : {}),
        variants: outcome.variants?.map(v => ({ file: v.file, answer: v.answer ?? null })) ?? null,
        ...(context.dataset ? { dataset: context.dataset } : {}),
        ...(context.raw === true ? { raw: true } : {}),
        timing: { ms: Math.round(outcome.ms), promptTokens: outcome.tokens.prompt, generatedTokens: outcome.tokens.generated },
    };
}
