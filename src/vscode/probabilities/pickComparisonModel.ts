import * as vscode from 'vscode';

/**
 * Asks for the GGUF to compare with the loaded model, starting beside `near` (the loaded model). Undefined when the
 * dialog was dismissed or the file is not on the local disk (the runtime host reads it from there; that is said).
 */
export async function pickComparisonModel(near: string | undefined): Promise<string | undefined> {
    const uris = await vscode.window.showOpenDialog({
        title: 'Promptscope: Compare the loaded model with…',
        openLabel: 'Compare',
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
        filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
        ...(near !== undefined ? { defaultUri: vscode.Uri.file(near) } : {}),
    });
    const uri = uris?.[0];
    if (uri === undefined) return undefined;
    if (uri.scheme !== 'file') {
        void vscode.window.showErrorMessage(`Promptscope: ${uri.toString()} is not on the local disk; choose a local .gguf file.`);
        return undefined;
    }
    return uri.fsPath;
}
