import * as vscode from 'vscode';
import { writeProjectFile } from '../core/files';

/**
 * Writes an export where the save dialog pointed. A local file goes through core's writeProjectFile: never through a
 * symbolic link (a committed `results.csv` linking to `~/.bashrc` is refused, naming it), never into a FIFO or device,
 * and whole (a temporary file renamed over the target). Other schemes (a remote workspace) go through VS Code's file
 * system, which is the only way there.
 */
export async function writeExport(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
    if (target.scheme === 'file') writeProjectFile(target.fsPath, bytes);
    else await vscode.workspace.fs.writeFile(target, bytes);
}
