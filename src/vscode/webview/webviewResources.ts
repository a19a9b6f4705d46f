import * as vscode from 'vscode';
import { createNonce, webviewHtml } from './webviewHtml';

/** The only folders a webview may load from: its bundles and the extension's media. */
export function webviewRoots(extensionUri: vscode.Uri): vscode.Uri[] {
    return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
}

/**
 * Sets the page of a webview whose bundle is dist/webview/`name`.js (and whose stylesheet, if any, is
 * media/webview/`name`.css, after the stylesheets of the shared components it shows, `components`), with a fresh
 * nonce on every load.
 */
export function loadWebviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, name: string, title: string, components: readonly string[] = []): void {
    const asUri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
    webview.options = webviewOptions(extensionUri);
    webview.html = webviewHtml({
        cspSource: webview.cspSource,
        nonce: createNonce(),
        scriptUri: asUri('dist', 'webview', `${name}.js`),
        styleUris: [...components.map(c => asUri('media', 'webview', `${c}.css`)), asUri('media', 'webview', `${name}.css`)],
        title,
    });
}
