import type { LoraAdapterSpec, ModelInfo, SamplingOptions } from '../../runtime/api';
import type { StrategyOutcome } from '../strategy/executeStrategy';
import type { PromptRun } from '../strategy/PromptRun';
import { modelFileHash } from './modelFileHash';

export interface RunRecordContext {
    command: 'run' | 'eval';
    run: PromptRun;
    input: Record<string, unknown> | undefined;
    model: ModelInfo;
    sampling: SamplingOptions;
    lora: LoraAdapterSpec[];
    outcome: StrategyOutcome;
    /** eval rows: the dataset file, row index and expected answer. */
    dataset?: { file: string; row: number; expected: string; correct: boolean };
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
        model: { name: model.name, path: model.path, hash: await modelFileHash(model.path), sizeBytes: model.fileSizeBytes },
        sampling: context.sampling,
        seed: outcome.seed ?? null,
        adapters: context.lora,
        strategy: outcome.strategy,
        outputs: outcome.outputs,
        answer: outcome.answer ?? null,
        rawAnswer: outcome.rawAnswer ?? null,
        reasoning: outcome.reasoning ?? null,
        votes: outcome.votes ?? null,
        variants: outcome.variants?.map(v => ({ file: v.file, answer: v.answer ?? null })) ?? null,
        ...(context.dataset ? { dataset: context.dataset } : {}),
        timing: { ms: Math.round(outcome.ms), promptTokens: outcome.tokens.prompt, generatedTokens: outcome.tokens.generated },
    };
}
