import * as vscode from 'vscode';
import { reportNotification, watermarkViewType, type WatermarkReport } from '../../shared/protocols/watermark';
import { loadWebviewPage, webviewOptions } from '../webview/webviewResources';
import { WebviewConnection } from '../webview/WebviewConnection';

/**
 * One Detect Watermark result in a webview panel. The report holds no key, so the panel keeps nothing secret; it is
 * not restored after a reload (the detection is a moment's check, made again in a second).
 */
export class WatermarkPanel implements vscode.Disposable {
    readonly panel: vscode.WebviewPanel;
    private readonly connection: WebviewConnection;

    constructor(readonly report: WatermarkReport, options: { extensionUri: vscode.Uri; log: vscode.LogOutputChannel }) {
        this.panel = vscode.window.createWebviewPanel(watermarkViewType, `Watermark: ${report.source}`,
            { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(options.extensionUri));
        this.connection = new WebviewConnection(this.panel.webview, options.log);
        this.connection.onReady(() => void this.connection.notify(reportNotification, report));
        this.panel.onDidDispose(() => this.connection.dispose());
        loadWebviewPage(this.panel.webview, options.extensionUri, 'watermark', 'Promptscope Watermark');
    }

    dispose(): void {
        this.panel.dispose();
    }
}
