import * as vscode from 'vscode';
import { decidePathTrust, type EarlierAnswer, type PathOrigin } from './workspaceTrust';

/** A model or adapter path about to be loaded, and where it came from. */
export interface PathRequest {
    kind: 'model' | 'adapter';
    /** The path or `hf:` URI as it will be loaded. */
    ref: string;
    origin: PathOrigin;
    /** For `workspaceFile`: the file that names the path (a Uri or a file path), shown in the confirmation. */
    source?: vscode.Uri | string;
}

/**
 * Asks before loading model and adapter paths that an untrusted workspace chose (its settings or
 * files such as `.prompt` front matter). Answers hold for the session, so a declined path is not
 * asked about again on every run; granting workspace trust forgets them.
 */
export class TrustGate implements vscode.Disposable {
    private readonly answers = new Map<string, EarlierAnswer>();
    private readonly subscription: vscode.Disposable;

    constructor(private readonly log: vscode.LogOutputChannel) {
        this.subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => this.answers.clear());
    }

    /** Whether every path in `requests` may be loaded; asks once, in one modal dialog, about those that need it. */
    async allow(requests: readonly PathRequest[]): Promise<boolean> {
        const decisions = requests.map(request => ({
            request,
            decision: decidePathTrust({
                workspaceTrusted: vscode.workspace.isTrusted,
                origin: request.origin,
                earlier: this.answers.get(keyOf(request)),
            }),
        }));
        if (decisions.some(d => d.decision === 'skip')) return false;
        const toAsk = decisions.filter(d => d.decision === 'ask').map(d => d.request);
        if (toAsk.length === 0) return true;

        const load = 'Load';
        const answer = await vscode.window.showWarningMessage(
            toAsk.length === 1 ? `Load ${describe(toAsk[0]!)}?` : `Load ${toAsk.length} files named by this workspace?`,
            {
                modal: true,
                detail: 'This workspace is not trusted. Loading a model or adapter runs llama.cpp\'s GGUF parser on the file '
                    + '(an hf: URI downloads one first); only continue if you trust where the path comes from.'
                    + (toAsk.length > 1 ? `\n\n${toAsk.map(describe).join('\n')}` : ''),
            },
            load,
        );
        const allowed = answer === load;
        for (const request of toAsk) this.answers.set(keyOf(request), allowed ? 'allowed' : 'declined');
        this.log.info(`Workspace Trust: ${allowed ? 'allowed' : 'declined'} ${toAsk.map(r => r.ref).join(', ')}`);
        return allowed;
    }

    /**
     * The adapters a workspace file names (`source`: a `.prompt`'s front matter, a run-history file), through {@link allow}:
     * all of them when allowed (or when the workspace is trusted), else none, with the paths that were declined so
     * the caller can say what it did not load.
     */
    async adaptersFrom<T extends { path: string }>(adapters: readonly T[], source: vscode.Uri | string): Promise<{ allowed: T[]; declined: string[] }> {
        if (adapters.length === 0) return { allowed: [], declined: [] };
        const requests = adapters.map(a => ({ kind: 'adapter' as const, ref: a.path, origin: 'workspaceFile' as const, source }));
        if (await this.allow(requests)) return { allowed: [...adapters], declined: [] };
        return { allowed: [], declined: [...new Set(adapters.map(a => a.path))] };
    }

    dispose(): void {
        this.subscription.dispose();
    }
}

function keyOf(request: PathRequest): string {
    return `${request.kind}\0${request.ref}`;
}

function describe(request: PathRequest): string {
    const from = request.origin === 'workspaceFile' && request.source !== undefined
        ? `named in ${vscode.workspace.asRelativePath(request.source)}`
        : 'from this workspace\'s settings';
    return `the ${request.kind} ${request.ref} ${from}`;
}
