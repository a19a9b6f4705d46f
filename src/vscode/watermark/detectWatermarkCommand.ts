import { basename } from 'node:path';
import * as vscode from 'vscode';
import { detectWatermark } from '../../core/watermark/detectWatermark';
import { watermarkKeyHash } from '../../core/watermark/greenList';
import { watermarkDefaults } from '../../shared/watermark';
import type { WatermarkReport } from '../../shared/protocols/watermark';
import type { CommandFactory } from '../commands';
import { errorText } from '../playground/PlaygroundContext';
import { WatermarkPanel } from './WatermarkPanel';

/** z from which a text counts as watermarked, as in the paper and `promptscope watermark detect`. */
const threshold = 4;

/** What tests (and other features) may pass instead of being asked. */
export interface DetectWatermarkArgs {
    key: string;
    gamma?: number;
    /** The text to check; defaults to the active editor's selection, or its whole text. */
    text?: string;
    source?: string;
}

/**
 * `promptscope.detectWatermark` (Detect Watermark…): asks for the key (a password box: it is never shown, logged or
 * sent to the panel) and γ, tokenizes the active editor's selection (or whole text) with the loaded model, as the CLI's
 * `watermark detect` does, and shows each token green or red with the running z, the final z and p-value. Resolves
 * with the panel (tests read its report), `undefined` when nothing ran.
 */
export const detectWatermarkCommand: CommandFactory = ctx => async (arg?: unknown) => {
    const given = argsOf(arg);
    const editor = vscode.window.activeTextEditor;
    const selection = editor !== undefined && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    const text = given?.text ?? selection ?? editor?.document.getText();
    if (text === undefined || text === '') {
        void vscode.window.showErrorMessage('Promptscope: open a file (or select text) to check for a watermark.');
        return undefined;
    }
    const source = given?.source ?? (editor !== undefined ? `${basename(editor.document.uri.path)}${selection !== undefined ? ' (selection)' : ''}` : 'text');
    const key = given?.key ?? await vscode.window.showInputBox({
        title: 'Detect Watermark: key', prompt: 'The key the text was generated with', password: true, ignoreFocusOut: true,
        validateInput: value => value === '' ? 'Enter the key.' : undefined,
    });
    if (key === undefined || key === '') return undefined;
    const gamma = given?.gamma ?? await askGamma();
    if (gamma === undefined) return undefined;

    return vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification, title: 'Promptscope: detecting a watermark', cancellable: true,
    }, async (progress, token) => {
        const model = await ctx.models.ensureModel();
        if (model === undefined || token.isCancellationRequested) return undefined;
        progress.report({ message: `tokenizing with ${model.name}` });
        let tokens: number[];
        let texts: { text: string }[];
        try {
            // As generation saw them: the text's own tokens, no BOS (the CLI's `watermark detect` does the same).
            tokens = await ctx.models.client.tokenize(text, { addBos: false });
            texts = await ctx.models.client.tokenTexts(tokens);
        } catch (error) {
            // The key is not in the request, so the message cannot hold it.
            ctx.log.warn(`Detect Watermark: ${errorText(error)}`);
            void vscode.window.showErrorMessage(`Promptscope: could not tokenize the text: ${errorText(error)}`);
            return undefined;
        }
        if (token.isCancellationRequested) return undefined;
        const detection = detectWatermark(tokens, { keyHash: watermarkKeyHash(key), gamma });
        const report: WatermarkReport = {
            source, model: model.name, gamma, ignoreRepeated: true, threshold,
            scored: detection.scored, green: detection.green,
            z: Number.isFinite(detection.z) ? detection.z : null, pValue: detection.pValue,
            tokens: detection.tokens.map((t, i) => ({
                text: texts[i]?.text ?? '', scored: t.scored, green: t.green,
                runningZ: Number.isFinite(t.runningZ) ? t.runningZ : null,
            })),
        };
        ctx.log.info(`Detect Watermark on ${source}: z ${report.z?.toFixed(2) ?? 'n/a'} over ${report.scored} scored tokens (γ ${gamma})`);
        // VS Code disposes open panels on deactivation; nothing else holds this one.
        return new WatermarkPanel(report, { extensionUri: ctx.extension.extensionUri, log: ctx.log });
    });
};

async function askGamma(): Promise<number | undefined> {
    const text = await vscode.window.showInputBox({
        title: 'Detect Watermark: γ', prompt: 'The green share of the vocabulary the text was generated with, in (0, 1)',
        value: String(watermarkDefaults.gamma), ignoreFocusOut: true,
        validateInput: value => {
            const n = Number(value);
            return value.trim() !== '' && n > 0 && n < 1 ? undefined : 'Enter a number between 0 and 1.';
        },
    });
    return text === undefined ? undefined : Number(text);
}

function argsOf(arg: unknown): DetectWatermarkArgs | undefined {
    if (typeof arg !== 'object' || arg === null) return undefined;
    const a = arg as Record<string, unknown>;
    if (typeof a.key !== 'string') return undefined;
    return {
        key: a.key,
        ...(typeof a.gamma === 'number' ? { gamma: a.gamma } : {}),
        ...(typeof a.text === 'string' ? { text: a.text } : {}),
        ...(typeof a.source === 'string' ? { source: a.source } : {}),
    };
}
