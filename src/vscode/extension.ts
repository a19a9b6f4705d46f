import type * as vscode from 'vscode';
import { commandTable } from './commands';
import { Ctx } from './Ctx';

let ctx: Ctx | undefined;

/** Kept thin: creates the context and registers commands. The runtime host starts only when a command needs the model. */
export function activate(extension: vscode.ExtensionContext): Ctx {
    ctx = new Ctx(extension);
    ctx.registerCommands(commandTable);
    ctx.log.info(`Promptscope ${String(extension.extension.packageJSON.version)} activated`);
    return ctx;
}

/** Awaited by VS Code, so the runtime host process is stopped before the extension host goes away. */
export function deactivate(): Promise<void> | undefined {
    const current = ctx;
    ctx = undefined;
    return current?.dispose();
}
