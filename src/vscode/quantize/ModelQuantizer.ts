import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../core/format';
import { quantizationTypeNamed, quantizationTypeNames, quantizationTypes, type QuantizationType } from '../../shared/quantizationTypes';
import type { QuantizeModelResult, QuantizeProgress } from '../../shared/runtimeApi';
import { CommandId } from '../commandIds';
import type { Config } from '../Config';
import { describeQuantizeFailure, type FailureMessage } from '../failureMessages';
import type { ModelService } from '../ModelService';
import { activePromptDocument } from '../prompt/promptSource';
import type { TrustGate } from '../TrustGate';
import type { PathOrigin } from '../workspaceTrust';
import { QuantizeProgressTracker } from './quantizeProgress';
import { quantizedFileName } from './quantizedFileName';

export interface ModelQuantizerOptions {
    models: ModelService;
    /** promptscope.threads applies to the quantizer too (0, the default, leaves the runtime's choice). */
    config: Config;
    trust: TrustGate;
    log: vscode.LogOutputChannel;
}

/** What the command's caller (another feature, a test) may give instead of answering the dialogs. */
export interface QuantizeOptions {
    /** The quantization type. Defaults to asking with a quick pick. */
    type?: string;
    /** The file to write. Defaults to asking with a save dialog (which offers `<input name>-<TYPE>.gguf` beside the input). */
    output?: string;
    /**
     * Replace an existing output. Defaults to true for a file chosen in the save dialog (which asked before replacing)
     * and false for a given `output`.
     */
    overwrite?: boolean;
    /** Stops the quantization as the notification's Cancel does. Defaults to none. */
    signal?: AbortSignal;
    /** Receives each tensor's progress besides the notification. Defaults to none. */
    onProgress?: (progress: QuantizeProgress) => void;
    /** Offer "Load quantized model" and "Compare with original on a prompt…" when done. Defaults to true. */
    offerNextSteps?: boolean;
}

/** How a quantization ended; `failed` carries the error (revived by class) and the message that was shown. */
export type QuantizeOutcome =
    | { status: 'done'; input: string; result: QuantizeModelResult }
    | { status: 'cancelled'; input: string }
    | { status: 'failed'; input: string; error: unknown; failure: FailureMessage };

/** The input model as chosen, with where its path came from (for Workspace Trust). */
interface InputChoice {
    path: string;
    origin: PathOrigin;
}

const actions = {
    load: 'Load quantized model',
    compare: 'Compare with original on a prompt…',
} as const;

/**
 * "Promptscope: Quantize Model…": the input GGUF (the loaded model or a file), the type, the output file, then
 * llama.cpp's quantizer in the runtime host under a cancellable notification that counts tensors. The loaded model is
 * left as it is. Afterwards it offers to load the quantized file or compare it with the original on a prompt.
 */
export class ModelQuantizer {
    constructor(private readonly options: ModelQuantizerOptions) {}

    /** Undefined when a dialog was dismissed or Workspace Trust declined the input: nothing ran. */
    async quantize(input?: unknown, given: QuantizeOptions = {}): Promise<QuantizeOutcome | undefined> {
        const choice = toInputChoice(input) ?? await this.pickInput();
        if (choice === undefined) return undefined;
        // The quantizer runs llama.cpp's GGUF parser on the input, as a load does.
        if (!await this.options.trust.allow([{ kind: 'model', ref: choice.path, origin: choice.origin }])) return undefined;
        const type = given.type !== undefined ? requireType(given.type) : await this.pickType();
        if (type === undefined) return undefined;
        const output = given.output ?? await this.pickOutput(choice.path, type);
        if (output === undefined) return undefined;
        const overwrite = given.overwrite ?? given.output === undefined;

        const { log } = this.options;
        log.info(`Quantizing ${choice.path} to ${type} into ${output}${overwrite ? ' (replacing it if it exists)' : ''}`);
        const abort = new AbortController();
        const stop = () => abort.abort();
        given.signal?.addEventListener('abort', stop);
        if (given.signal?.aborted === true) abort.abort();
        try {
            const result = await vscode.window.withProgress({
                location: vscode.ProgressLocation.Notification,
                title: `Promptscope: quantizing ${basename(choice.path)} to ${type}`,
                cancellable: true,
            }, (progress, token) => {
                token.onCancellationRequested(stop);
                const tracker = new QuantizeProgressTracker();
                const { threads } = this.options.config.modelSettings;
                return this.options.models.client.quantizeModel({ input: choice.path, output, type, overwrite, ...(threads > 0 ? { threads } : {}) }, {
                    signal: abort.signal,
                    onProgress: event => {
                        progress.report(tracker.update(event));
                        given.onProgress?.(event);
                    },
                });
            });
            log.info(`Quantized ${choice.path} to ${type}: ${result.output}, ${result.tensors} tensors, `
                + `${formatBytes(result.inputBytes)} → ${formatBytes(result.outputBytes)} in ${Math.round(result.ms)} ms`);
            if (given.offerNextSteps !== false) void this.offerNextSteps(choice.path, result);
            return { status: 'done', input: choice.path, result };
        } catch (error) {
            if (abort.signal.aborted) {
                log.info(`Quantizing ${choice.path} was cancelled; nothing was written`);
                return { status: 'cancelled', input: choice.path };
            }
            const failure = describeQuantizeFailure(error);
            this.options.models.showFailure(failure, error);
            return { status: 'failed', input: choice.path, error, failure };
        } finally {
            given.signal?.removeEventListener('abort', stop);
        }
    }

    /** The loaded model first (the usual thing to quantize), else straight to the file dialog. */
    private async pickInput(): Promise<InputChoice | undefined> {
        const loaded = this.options.models.model;
        if (loaded === undefined) return this.browseInput(undefined);
        type Item = vscode.QuickPickItem & { choose: () => Promise<InputChoice | undefined> };
        const items: Item[] = [
            { label: `$(check) ${loaded.name}`, description: 'the loaded model', detail: loaded.path, choose: async () => ({ path: loaded.path, origin: 'user' }) },
            { label: '$(folder-opened) Browse for GGUF…', description: 'a .gguf file on disk', choose: () => this.browseInput(loaded.path) },
        ];
        const item = await vscode.window.showQuickPick(items, { title: 'Promptscope: Quantize Model (1/3)', placeHolder: 'The model to quantize', ignoreFocusOut: true });
        return item?.choose();
    }

    private async browseInput(near: string | undefined): Promise<InputChoice | undefined> {
        const uris = await vscode.window.showOpenDialog({
            title: 'Promptscope: Choose the GGUF model to quantize',
            openLabel: 'Quantize',
            canSelectFiles: true,
            canSelectFolders: false,
            canSelectMany: false,
            filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
            ...(near !== undefined ? { defaultUri: vscode.Uri.file(dirname(near)) } : {}),
        });
        const uri = uris?.[0];
        if (uri === undefined) return undefined;
        if (uri.scheme !== 'file') {
            // The runtime host reads the file from the local disk.
            void vscode.window.showErrorMessage(`Promptscope: ${uri.toString()} is not on the local disk; choose a local .gguf file.`);
            return undefined;
        }
        return { path: uri.fsPath, origin: 'user' };
    }

    private async pickType(): Promise<QuantizationType | undefined> {
        const items = quantizationTypeNames.map(type => ({ label: type, detail: quantizationTypes[type].summary, type }));
        const item = await vscode.window.showQuickPick(items, {
            title: 'Promptscope: Quantize Model (2/3)',
            placeHolder: 'Quantization type (Q4_K_M is the usual choice)',
            matchOnDetail: true,
            // A step of three: a click elsewhere (a notification, the panel beside) should not throw the first answer away.
            ignoreFocusOut: true,
        });
        return item?.type;
    }

    private async pickOutput(input: string, type: QuantizationType): Promise<string | undefined> {
        const uri = await vscode.window.showSaveDialog({
            title: 'Promptscope: Quantize Model (3/3): save the quantized model as',
            saveLabel: 'Quantize',
            defaultUri: vscode.Uri.file(join(dirname(input), quantizedFileName(basename(input), type))),
            filters: { 'GGUF models': ['gguf'] },
        });
        if (uri === undefined) return undefined;
        if (uri.scheme !== 'file') {
            void vscode.window.showErrorMessage(`Promptscope: ${uri.toString()} is not on the local disk; the quantizer writes local files only.`);
            return undefined;
        }
        return uri.fsPath;
    }

    private async offerNextSteps(input: string, result: QuantizeModelResult): Promise<void> {
        const answer = await vscode.window.showInformationMessage(
            `Promptscope: quantized ${basename(input)} to ${result.type}: ${basename(result.output)} (${formatBytes(result.outputBytes)}, was ${formatBytes(result.inputBytes)}).`,
            actions.load, actions.compare);
        if (answer === actions.load) await vscode.commands.executeCommand(CommandId.loadModel, { ref: result.output, origin: 'user' });
        else if (answer === actions.compare) await this.compareWithOriginal(input, result.output);
    }

    /**
     * Item 2's view for the new file: the original is loaded (the base of the comparison) and the token probabilities
     * panel of a prompt (the active `.prompt`, else one chosen) compares it with the quantized copy.
     */
    private async compareWithOriginal(input: string, output: string): Promise<void> {
        const prompt = activePromptDocument()?.uri ?? (await vscode.window.showOpenDialog({
            title: 'Promptscope: The prompt to compare the two models on',
            openLabel: 'Compare',
            canSelectMany: false,
            filters: { Prompts: ['prompt'] },
            ...(vscode.workspace.workspaceFolders?.[0] !== undefined ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
        }))?.[0];
        if (prompt === undefined) return;
        if (this.options.models.model?.path !== input && await this.options.models.load({ ref: input, origin: 'user' }) === undefined) return;
        await vscode.commands.executeCommand(CommandId.compareWithModel, prompt, output);
    }
}

function toInputChoice(arg: unknown): InputChoice | undefined {
    if (typeof arg === 'string' && arg.trim() !== '') return { path: arg.trim(), origin: 'user' };
    if (typeof arg === 'object' && arg !== null && typeof (arg as { ref?: unknown }).ref === 'string') {
        const { ref, origin } = arg as { ref: string; origin?: unknown };
        // As loadModel does: anything but an explicit user origin is the workspace's choice, so it goes through Workspace Trust.
        return { path: ref, origin: origin === 'user' ? 'user' : 'workspaceFile' };
    }
    return undefined;
}

function requireType(name: string): QuantizationType {
    const type = quantizationTypeNamed(name);
    if (type === undefined) throw new Error(`unknown quantization type ${name}: one of ${quantizationTypeNames.join(', ')}`);
    return type;
}
