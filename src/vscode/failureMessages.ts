/**
 * The error notification for a failed model load or run: message and buttons, chosen by the error's class
 * (runtime errors cross the RPC channel revived as their class). No `vscode` import, so unit tests
 * run it. Runtime errors already name the file and the fix; this adds what the buttons can do.
 */
import { ModelRefError } from '../core/model/errors/ModelRefError';
import {
    ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError, ModelFileError, NoModelLoadedError, QuantizationError,
    RuntimeNotRespondingError, RuntimeStoppedError, SamplingOptionsError, UnsafePathError,
} from '../shared/errors';

/** Buttons of the error notification. The labels are what users (and the e2e tests) click. */
export const FailureAction = {
    chooseModel: 'Choose Model…',
    openSettings: 'Open Settings',
    showLogs: 'Show Logs',
} as const;
export type FailureAction = typeof FailureAction[keyof typeof FailureAction];

export interface FailureMessage {
    message: string;
    actions: FailureAction[];
}

/** Describes why loading `modelLabel` failed. */
export function describeLoadFailure(error: unknown, modelLabel: string): FailureMessage {
    const message = messageOf(error);
    const { chooseModel, openSettings, showLogs } = FailureAction;
    if (error instanceof ModelFileError || error instanceof ModelDownloadError) {
        return { message: `Promptscope: ${message}`, actions: [chooseModel, openSettings, showLogs] };
    }
    if (error instanceof LoraAdapterError) {
        return { message: `Promptscope: ${message} Fix or remove it in the setting promptscope.lora.`, actions: [openSettings, showLogs] };
    }
    if (error instanceof ModelRefError) return { message: `Promptscope: ${message}`, actions: [openSettings, chooseModel] };
    // Before RuntimeStoppedError, its base: a runtime that stopped answering says nothing about the file.
    if (error instanceof RuntimeNotRespondingError) return { message: `Promptscope: ${message}`, actions: [openSettings, showLogs] };
    if (error instanceof RuntimeStoppedError) {
        return {
            message: `Promptscope: the runtime stopped while loading ${modelLabel} (${error.reason}). `
                + 'The file may be malformed; the logs show llama.cpp\'s last words.',
            actions: [showLogs, chooseModel],
        };
    }
    return { message: `Promptscope: could not load ${modelLabel}: ${message}`, actions: [showLogs, chooseModel, openSettings] };
}

/** Describes why a request to the loaded model (a run, tokenization…) failed. */
export function describeRunFailure(error: unknown): FailureMessage {
    const message = messageOf(error);
    const { chooseModel, openSettings, showLogs } = FailureAction;
    // Its message names the setting that allows a busy runtime longer (Open Settings shows it).
    if (error instanceof RuntimeNotRespondingError) return { message: `Promptscope: ${message}`, actions: [openSettings, showLogs] };
    if (error instanceof RuntimeStoppedError) {
        return {
            message: `Promptscope: the runtime stopped (${error.reason}). The next command restarts it and reloads the model.`,
            actions: [showLogs],
        };
    }
    if (error instanceof NoModelLoadedError) return { message: `Promptscope: ${message}`, actions: [chooseModel, openSettings] };
    if (error instanceof ContextOverflowError) return { message: `Promptscope: ${message} (setting promptscope.contextSize)`, actions: [openSettings] };
    if (error instanceof SamplingOptionsError || error instanceof GrammarError) return { message: `Promptscope: ${message}`, actions: [] };
    return { message: `Promptscope: ${message}`, actions: [showLogs] };
}

/**
 * Describes why comparing the loaded model with `otherLabel` failed. A file that is no GGUF or has another vocabulary
 * (ModelFileError, whose message says which) is the other model's fault: the loaded model is fine, so no Choose Model.
 */
export function describeComparisonFailure(error: unknown, otherLabel: string): FailureMessage {
    if (error instanceof ModelFileError) return { message: `Promptscope: cannot compare with ${otherLabel}: ${messageOf(error)}`, actions: [FailureAction.showLogs] };
    return describeRunFailure(error);
}

/**
 * Describes why quantizing failed. llama.cpp's refusal (QuantizationError: e.g. the input is quantized already) and
 * a refused output path (UnsafePathError: it exists, is a link, is the input) name the file and the fix; the input
 * not being a GGUF (ModelFileError) says so. Nothing a setting changes, so no Open Settings.
 */
export function describeQuantizeFailure(error: unknown): FailureMessage {
    const message = messageOf(error);
    const { showLogs } = FailureAction;
    if (error instanceof QuantizationError || error instanceof ModelFileError) return { message: `Promptscope: ${message}`, actions: [showLogs] };
    if (error instanceof UnsafePathError) return { message: `Promptscope: ${message}`, actions: [] };
    // Before RuntimeStoppedError, its base.
    if (error instanceof RuntimeNotRespondingError) return { message: `Promptscope: ${message}`, actions: [FailureAction.openSettings, showLogs] };
    if (error instanceof RuntimeStoppedError) {
        return { message: `Promptscope: the runtime stopped while quantizing (${error.reason}).`, actions: [showLogs] };
    }
    return { message: `Promptscope: quantizing failed: ${message}`, actions: [showLogs] };
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
