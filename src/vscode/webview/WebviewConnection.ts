import type * as vscode from 'vscode';
import { serializeError } from '../../shared/errors/serializeError';
import {
    isIpcMessage, readyCommand, type IpcCommand, type IpcMessage, type IpcNotification, type IpcRequest,
} from '../../shared/protocols/ipc';

type Handler = (message: IpcMessage) => unknown;

/**
 * The host's end of a webview's typed messages (see src/shared/protocols/ipc.ts). Notifications wait for the webview's
 * `ready`: anything posted before its listener exists is dropped by VS Code, and a reload (or the webview being
 * recreated after it was hidden) starts a new page that says `ready` again, so {@link onReady} handlers run again
 * and send the state afresh.
 */
export class WebviewConnection implements vscode.Disposable {
    private readonly handlers = new Map<string, Handler>();
    private readonly readyHandlers: (() => void)[] = [];
    private readonly subscription: vscode.Disposable;
    private ready = false;

    constructor(private readonly webview: vscode.Webview, private readonly log: vscode.LogOutputChannel) {
        this.subscription = webview.onDidReceiveMessage(data => void this.dispatch(data));
    }

    /** Runs on every `ready` of the page: send the full state here. */
    onReady(handler: () => void): void {
        this.readyHandlers.push(handler);
    }

    /** Marks the page as gone (before setting new HTML), so nothing is posted until it is ready again. */
    reset(): void {
        this.ready = false;
    }

    onCommand<P>(command: IpcCommand<P>, handler: (params: P) => unknown): void {
        this.handlers.set(command.method, message => handler(message.params as P));
    }

    /**
     * Answers `request` with what `handler` returns. Every request gets a reply: when the handler throws, the reply
     * carries the error (logged here too) and the page's promise rejects with it, so the page can show it.
     */
    onRequest<P, R>(request: IpcRequest<P, R>, handler: (params: P) => Promise<R> | R): void {
        this.handlers.set(request.method, async message => {
            const reply = { method: request.response.method, completionId: message.completionId };
            let response: R;
            try {
                response = await handler(message.params as P);
            } catch (error) {
                this.log.error(`Webview request ${request.method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
                // The page has no use for the extension host's stack; the log above has it.
                await this.webview.postMessage({ ...reply, params: undefined, error: serializeError(error, { stack: false }) } satisfies IpcMessage<undefined>);
                return;
            }
            await this.webview.postMessage({ ...reply, params: response } satisfies IpcMessage<R>);
        });
    }

    /** Posts a notification; dropped (false) until the page is ready, since the ready handlers send everything anyway. */
    notify<P>(notification: IpcNotification<P>, params: P): Thenable<boolean> {
        if (!this.ready) return Promise.resolve(false);
        return this.webview.postMessage({ method: notification.method, params } satisfies IpcMessage<P>);
    }

    dispose(): void {
        this.subscription.dispose();
        this.handlers.clear();
    }

    private async dispatch(data: unknown): Promise<void> {
        if (!isIpcMessage(data)) {
            this.log.warn(`Webview sent an unknown message: ${JSON.stringify(data)?.slice(0, 200)}`);
            return;
        }
        try {
            if (readyCommand.is(data)) {
                this.ready = true;
                for (const handler of this.readyHandlers) handler();
                return;
            }
            const handler = this.handlers.get(data.method);
            if (handler === undefined) this.log.warn(`Webview message ${data.method} has no handler`);
            else await handler(data);
        } catch (error) {
            this.log.error(`Webview message ${data.method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        }
    }
}
