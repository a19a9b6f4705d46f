import * as vscode from 'vscode';
import { buildRuntimeCommand } from './buildRuntimeCommand';
import { CommandId } from './commandIds';
import type { Ctx } from './Ctx';
import type { ModelChoice } from './ModelChoice';
import { evaluatePromptCommand } from './evaluation/evaluatePromptCommand';
import { compareWithModelCommand } from './probabilities/compareWithModelCommand';
import { quantizeModelCommand } from './quantize/quantizeModelCommand';
import { detectWatermarkCommand } from './watermark/detectWatermarkCommand';
import { indexFolderCommand } from './retrieval/indexFolderCommand';
import { searchIndexCommand } from './retrieval/searchIndexCommand';

/** Makes a command's handler from the context; the table below lists every command of the extension. */
export type CommandFactory = (ctx: Ctx) => (...args: unknown[]) => unknown;

/**
 * `promptscope.loadModel` opens the picker; called with a model reference (a string, or a
 * {@link ModelChoice}) it loads that one directly, e.g. from other features or tests.
 */
const loadModel: CommandFactory = ctx => async (arg?: unknown) => {
    const choice = toChoice(arg) ?? await ctx.picker.pick({ loadedPath: ctx.models.model?.path });
    if (choice === undefined) return undefined;
    const model = await ctx.models.load(choice);
    if (model !== undefined) vscode.window.setStatusBarMessage(`Promptscope: loaded ${model.name}`, 4000);
    return model?.name;
};

const unloadModel: CommandFactory = ctx => () => ctx.models.unload();

const showLogs: CommandFactory = ctx => () => ctx.log.show();

/** From the CodeLens and the editor title (a URI), the palette (nothing: the active editor), or tests (a URI or path). */
const runPrompt: CommandFactory = ctx => (arg?: unknown) => ctx.prompts.run(toUri(arg));

/** Resolves with the trace panel of the prompt's last Run (tests inspect it), `undefined` when it has not run. */
const showReasoningTrace: CommandFactory = ctx => (arg?: unknown) => ctx.prompts.showTrace(toUri(arg));

const renderPrompt: CommandFactory = ctx => (arg?: unknown) => ctx.prompts.render(toUri(arg));

/** Resolves with the panel once its probabilities are computed (tests inspect it), `undefined` without a prompt. */
const showTokenProbabilities: CommandFactory = ctx => (arg?: unknown) => ctx.probabilities.show(toUri(arg));

/** Resolves with the panel once the first layer is captured (tests inspect it), `undefined` without a prompt. */
const showAttention: CommandFactory = ctx => (arg?: unknown) => ctx.attention.show(toUri(arg));

/** Asks for the key in a password box (a test may pass it); stored in SecretStorage only. */
const setServerApiKey: CommandFactory = ctx => (arg?: unknown) => ctx.serverApiKey.set(typeof arg === 'string' ? arg : undefined);

const clearServerApiKey: CommandFactory = ctx => () => ctx.serverApiKey.clear();

const openPlayground: CommandFactory = ctx => () => ctx.playground.reveal();

/** Resolves with the lab once every column is decoded (tests inspect it), `undefined` without a prompt. */
const openDecodingLab: CommandFactory = ctx => (arg?: unknown) => ctx.decodingLab.show(toUri(arg));

export const commandTable: Readonly<Record<CommandId, CommandFactory>> = {
    [CommandId.loadModel]: loadModel,
    [CommandId.unloadModel]: unloadModel,
    [CommandId.showLogs]: showLogs,
    [CommandId.runPrompt]: runPrompt,
    [CommandId.renderPrompt]: renderPrompt,
    [CommandId.showTokenProbabilities]: showTokenProbabilities,
    [CommandId.showAttention]: showAttention,
    [CommandId.openPlayground]: openPlayground,
    [CommandId.buildRuntime]: ctx => () => buildRuntimeCommand(ctx),
    [CommandId.evaluatePrompt]: evaluatePromptCommand,
    [CommandId.quantizeModel]: quantizeModelCommand,
    [CommandId.compareWithModel]: compareWithModelCommand,
    [CommandId.detectWatermark]: detectWatermarkCommand,
    [CommandId.openDecodingLab]: openDecodingLab,
    [CommandId.indexFolder]: indexFolderCommand,
    [CommandId.searchIndex]: searchIndexCommand,
    [CommandId.setServerApiKey]: setServerApiKey,
    [CommandId.clearServerApiKey]: clearServerApiKey,
    [CommandId.showReasoningTrace]: showReasoningTrace,
};

function toUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg !== '') return /^[a-z][\w+.-]+:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
    return undefined;
}

function toChoice(arg: unknown): ModelChoice | undefined {
    if (typeof arg === 'string' && arg.trim() !== '') return { ref: arg.trim(), origin: 'user' };
    if (typeof arg === 'object' && arg !== null && typeof (arg as ModelChoice).ref === 'string') {
        const { ref, origin, source } = arg as ModelChoice;
        // Anything but an explicit user origin is treated as the workspace's choice, so it goes through Workspace Trust.
        return { ref, origin: origin === 'user' ? 'user' : 'workspaceFile', ...(typeof source === 'string' ? { source } : {}) };
    }
    return undefined;
}
