import type { LoraAdapterSpec, ModelInfo } from '../shared/runtimeApi';
import { CancelledError } from '../shared/errors/CancelledError';
import { chatTemplateWarningText } from '../core/model/chatTemplateText';
import { modelChoice } from './modelFlags';
import { RuntimeSession } from './runtimeSession';

/** What {@link withFlagModel} hands to its work: the loaded model and how to stop using it. */
export interface FlagModel {
    session: RuntimeSession;
    /** Aborted by Ctrl-C. */
    signal: AbortSignal;
    model: ModelInfo;
    /** The adapters loaded with the model: `--lora`'s (a prompt's own go with each request instead). */
    lora: LoraAdapterSpec[];
}

/**
 * Loads the model named by the model flags (`--model`, `--threads`, `--gpu`, `--context-size`, `--lora`), runs
 * `work` on it and closes the runtime. Ctrl-C aborts through the signal instead
 * of killing the process, so the host is stopped cleanly and a partial result can still be printed.
 */
export async function withFlagModel<T>(
    values: Record<string, unknown>,
    verbose: boolean,
    work: (loaded: FlagModel) => Promise<T>,
): Promise<T> {
    const session = new RuntimeSession(verbose);
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once('SIGINT', onInterrupt);
    try {
        const choice = modelChoice(values);
        const model = await session.load(choice, controller.signal).catch((error: unknown) => {
            // However the load ended after Ctrl-C (a download reports it, llama.cpp's load just stops), it was cancelled.
            if (controller.signal.aborted && !(error instanceof CancelledError)) throw new CancelledError('loading the model');
            throw error;
        });
        // node-llama-cpp falls back to a guessed format without a word outside its process: say it here, once per load.
        const template = model.chatTemplateUse;
        if (template.warning?.code === 'template-unusable') process.stderr.write(`${model.path}: warning: ${chatTemplateWarningText(template)}\n`);
        return await work({ session, signal: controller.signal, model, lora: choice.lora });
    } finally {
        process.off('SIGINT', onInterrupt);
        await session.close();
    }
}
