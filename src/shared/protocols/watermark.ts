/**
 * Messages of the Detect Watermark panel (src/vscode/watermark, src/webview/watermark). The host sends the finished
 * detection; the page only says `ready`. The key never crosses: the page gets token colours and z-scores only.
 */
import { IpcNotification } from './ipc';

const scope = 'watermark';

export const watermarkViewType = 'promptscope.watermark';

/** A token of the checked text with its green-list verdict. */
export interface WatermarkTokenView {
    /** The token's text (joined, the tokens spell the checked text). */
    text: string;
    /** Counted in the test: it has a previous token and (repeated pairs scored once) a pair not seen before. */
    scored: boolean;
    green: boolean;
    /** z over the scored tokens up to this one; null before the first (NaN does not survive JSON). */
    runningZ: number | null;
}

export interface WatermarkReport {
    /** What was checked: the file's name, and whether only a selection. */
    source: string;
    model: string;
    gamma: number;
    ignoreRepeated: boolean;
    scored: number;
    green: number;
    /** null when nothing was scored. */
    z: number | null;
    pValue: number;
    /** z from which the text counts as watermarked (4, as the paper and the CLI's --threshold default). */
    threshold: number;
    tokens: WatermarkTokenView[];
}

export const reportNotification = new IpcNotification<WatermarkReport>(scope, 'report');
