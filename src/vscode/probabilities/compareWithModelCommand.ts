import * as vscode from 'vscode';
import type { CommandFactory } from '../commands';
import type { TrustGate } from '../TrustGate';
import type { TokenProbabilitiesPanel } from './TokenProbabilitiesPanel';

/**
 * `promptscope.compareWithModel`: the token probabilities panel of a prompt (the active editor's, or a URI or path
 * given) in its "Compare with model…" mode. The panel is computed first when it has no report; the other model is asked
 * for with a file dialog unless given (a path, or a model choice whose origin goes through Workspace Trust). Resolves
 * with the panel once the comparison ended (tests read its state), `undefined` when nothing ran.
 */
export const compareWithModelCommand: CommandFactory = ctx => async (promptArg?: unknown, otherArg?: unknown) => {
    const other = await trustedOther(ctx.trust, otherArg);
    if (other === null) return undefined;
    const uri = promptUri(promptArg);
    const open = uri === undefined ? undefined : ctx.probabilities.panelFor(uri);
    const panel: TokenProbabilitiesPanel | undefined = open?.current.report !== undefined && open.current.phase === 'done'
        ? open
        : await ctx.probabilities.show(uri);
    if (panel === undefined) return undefined;
    panel.panel.reveal(undefined, false);
    await panel.compareWith(other);
    return panel;
};

/** The other model's path; undefined to ask with a dialog; null when a workspace-chosen path was declined. */
async function trustedOther(trust: TrustGate, arg: unknown): Promise<string | undefined | null> {
    if (typeof arg === 'string' && arg.trim() !== '') return arg.trim();
    if (typeof arg === 'object' && arg !== null && typeof (arg as { ref?: unknown }).ref === 'string') {
        const { ref, origin } = arg as { ref: string; origin?: unknown };
        // As loadModel does: anything but an explicit user origin is the workspace's choice.
        const allowed = await trust.allow([{ kind: 'model', ref, origin: origin === 'user' ? 'user' : 'workspaceFile' }]);
        return allowed ? ref : null;
    }
    return undefined;
}

function promptUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string' && arg !== '') return /^[a-z][\w+.-]+:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
    return undefined;
}
