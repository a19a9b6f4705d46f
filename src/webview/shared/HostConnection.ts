import { isIpcMessage, readyCommand, type IpcCommand, type IpcMessage, type IpcNotification, type IpcRequest } from '../../shared/protocols/ipc';
import type { VsCodeApi } from './vscodeApi';

/** The webview's end of the typed messages: commands and requests out, notifications and responses in. */
export class HostConnection {
    private readonly handlers = new Map<string, (params: unknown) => void>();
    private readonly pending = new Map<number, (params: unknown) => void>();
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

    request<P, R>(request: IpcRequest<P, R>, params: P): Promise<R> {
        const completionId = this.nextCompletionId++;
        return new Promise<R>(resolve => {
            this.pending.set(completionId, resolve as (params: unknown) => void);
            this.api.postMessage({ method: request.method, params, completionId } satisfies IpcMessage<P>);
        });
    }

    private dispatch(data: unknown): void {
        if (!isIpcMessage(data)) return;
        if (data.completionId !== undefined) {
            const resolve = this.pending.get(data.completionId);
            this.pending.delete(data.completionId);
            resolve?.(data.params);
            return;
        }
        this.handlers.get(data.method)?.(data.params);
    }
}
