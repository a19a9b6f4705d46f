/**
 * The error notification for a failed model load or run: message and buttons, chosen from the
 * error's class name (errors cross the RPC channel keeping it). No `vscode` import, so unit tests
 * run it. Runtime errors already name the file and the fix; this adds what the buttons can do.
 */

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
    const { name, message, reason } = errorParts(error);
    const { chooseModel, openSettings, showLogs } = FailureAction;
    switch (name) {
        case 'ModelFileError':
            return { message: `Promptscope: ${message}`, actions: [chooseModel, openSettings, showLogs] };
        case 'ModelDownloadError':
            return { message: `Promptscope: ${message}`, actions: [chooseModel, openSettings, showLogs] };
        case 'LoraAdapterError':
            return { message: `Promptscope: ${message} Fix or remove it in the setting promptscope.lora.`, actions: [openSettings, showLogs] };
        case 'ModelRefError':
            return { message: `Promptscope: ${message}`, actions: [openSettings, chooseModel] };
        case 'RuntimeStoppedError':
            return {
                message: `Promptscope: the runtime stopped while loading ${modelLabel} (${reason ?? message}). `
                    + 'The file may be malformed; the logs show llama.cpp\'s last words.',
                actions: [showLogs, chooseModel],
            };
        default:
            return { message: `Promptscope: could not load ${modelLabel}: ${message}`, actions: [showLogs, chooseModel, openSettings] };
    }
}

/** Describes why a request to the loaded model (a run, tokenization…) failed. */
export function describeRunFailure(error: unknown): FailureMessage {
    const { name, message, reason } = errorParts(error);
    const { chooseModel, openSettings, showLogs } = FailureAction;
    switch (name) {
        case 'RuntimeStoppedError':
            return {
                message: `Promptscope: the runtime stopped (${reason ?? message}). The next command restarts it and reloads the model.`,
                actions: [showLogs],
            };
        case 'NoModelLoadedError':
            return { message: `Promptscope: ${message}`, actions: [chooseModel, openSettings] };
        case 'ContextOverflowError':
            return { message: `Promptscope: ${message} (setting promptscope.contextSize)`, actions: [openSettings] };
        case 'SamplingOptionsError':
        case 'GrammarError':
            return { message: `Promptscope: ${message}`, actions: [] };
        default:
            return { message: `Promptscope: ${message}`, actions: [showLogs] };
    }
}

function errorParts(error: unknown): { name: string; message: string; reason?: string } {
    if (error instanceof Error) {
        const reason = (error as { reason?: unknown }).reason;
        return { name: error.name, message: error.message, ...(typeof reason === 'string' ? { reason } : {}) };
    }
    return { name: 'Error', message: String(error) };
}
