import * as vscode from 'vscode';

/** The SecretStorage key: one API key for every server the editor talks to. */
const secretKey = 'promptscope.server.apiKey';

/**
 * The server API key, kept in VS Code's SecretStorage (the OS keychain on the desktop) and nowhere else: not in
 * settings, logs, webviews or the run history. It is read when a connection is made and sent only as
 * `Authorization: Bearer …`.
 */
export class ServerApiKey implements vscode.Disposable {
    private readonly changes = new vscode.EventEmitter<void>();
    /** Fires when the key is set or cleared (here, or in another window), so connections made with the old one close. */
    readonly onDidChange = this.changes.event;
    private readonly subscription: vscode.Disposable;
    /**
     * What this window last stored or removed (null: removed), until the storage says it changed: a read right after a
     * store or delete may still see the old value (code-server's storage lives in the browser and catches up later).
     */
    private known: string | null | undefined;
    /** Change events still to come for this window's own writes: they say nothing new, so `known` stands. */
    private echoes = 0;

    constructor(private readonly secrets: vscode.SecretStorage, private readonly log: vscode.LogOutputChannel) {
        this.subscription = secrets.onDidChange(event => {
            if (event.key !== secretKey) return;
            if (this.echoes > 0) {
                this.echoes--;
                return;
            }
            // Another window changed it: read it again next time.
            this.known = undefined;
            this.changes.fire();
        });
    }

    /** The key, or undefined when none is set. */
    async get(): Promise<string | undefined> {
        const key = this.known !== undefined ? this.known : await this.secrets.get(secretKey);
        return key === undefined || key === null || key === '' ? undefined : key;
    }

    /** Stores `key`, or asks for it in a password box when not given; false when the box was dismissed. */
    async set(key?: string): Promise<boolean> {
        const value = key ?? await vscode.window.showInputBox({
            title: 'Promptscope: Server API Key',
            prompt: 'Sent as "Authorization: Bearer …" to the OpenAI-compatible server (llama-server --api-key, vLLM --api-key, a gateway). Kept in VS Code\'s secret storage.',
            password: true, ignoreFocusOut: true,
            validateInput: text => /[\r\n]/.test(text) ? 'One line only' : text.trim() === '' ? 'Enter the key, or press Escape' : undefined,
        });
        if (value === undefined || value.trim() === '') return false;
        this.echoes++;
        await this.secrets.store(secretKey, value.trim());
        this.known = value.trim();
        // At once, not when the storage's own event comes: the next run must not reuse a connection made with the old key.
        this.changes.fire();
        // The key itself is never logged.
        this.log.info('Server API key stored in the secret storage');
        return true;
    }

    async clear(): Promise<void> {
        this.echoes++;
        await this.secrets.delete(secretKey);
        this.known = null;
        this.changes.fire();
        this.log.info('Server API key removed from the secret storage');
    }

    dispose(): void {
        this.subscription.dispose();
        this.changes.dispose();
    }
}
