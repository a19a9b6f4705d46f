import { isIpcMessage, readyCommand, type IpcCommand, type IpcMessage, type IpcNotification, type IpcRequest } from '../../shared/protocols/ipc';
import { reviveError } from '../../shared/errors/serializeError';
import type { VsCodeApi } from './vscodeApi';

/** The webview's end of the typed messages: commands and requests out, notifications and responses in. */
export class HostConnection {
    private readonly handlers = new Map<string, (params: unknown) => void>();
    private readonly pending = new Map<number, { resolve: (params: unknown) => void; reject: (error: Error) => void }>();
    private nextCompletionId = 1;

    constructor(private readonly api: VsCodeApi<unknown>) {
        window.addEventListener('message', event => this.dispatch(event.data));
    }

    onNotification<P>(notification: IpcNotification<P>, handler: (params: P) => void): void {
        this.handlers.set(notification.method, handler as (params: unknown) => void);
    }

    /** Tells the host the listeners are in place; call once, after every onNotification. */
    ready(): void {
        this.send(readyCommand, undefined);
    }

    send<P>(command: IpcCommand<P>, params: P): void {
        this.api.postMessage({ method: command.method, params } satisfies IpcMessage<P>);
    }

    /**
     * Sends `request`; resolves with the host's response, or rejects with the error its handler threw (revived by
     * class: check it with `instanceof`), which the page shows.
     */
    request<P, R>(request: IpcRequest<P, R>, params: P): Promise<R> {
        const completionId = this.nextCompletionId++;
        return new Promise<R>((resolve, reject) => {
            this.pending.set(completionId, { resolve: resolve as (params: unknown) => void, reject });
            this.api.postMessage({ method: request.method, params, completionId } satisfies IpcMessage<P>);
        });
    }

    private dispatch(data: unknown): void {
        if (!isIpcMessage(data)) return;
        if (data.completionId !== undefined) {
            const pending = this.pending.get(data.completionId);
            this.pending.delete(data.completionId);
            if (data.error !== undefined) pending?.reject(reviveError(data.error));
            else pending?.resolve(data.params);
            return;
        }
        this.handlers.get(data.method)?.(data.params);
    }
}
