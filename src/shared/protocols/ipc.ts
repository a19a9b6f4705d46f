/**
 * Typed messages between a webview and the extension host, modelled on GitLens' ipc.ts. Each panel declares its
 * messages once in its own protocol file, as constants of these classes; both sides import that file, so a message's
 * name and its params cannot drift apart. No DOM or vscode imports: this is compiled into both bundles.
 */
import type { SerializedError } from '../errors/SerializedError';

/** What actually crosses postMessage. */
export interface IpcMessage<Params = unknown> {
    /** `scope/name`: the scope keeps two panels' messages apart even if a message reaches the wrong one. */
    method: string;
    params: Params;
    /** Set on requests; the response carries it back so the caller can match it. */
    completionId?: number;
    /**
     * Set on the response to a request whose host handler threw (its params are then undefined): every request gets a
     * reply, so the page's promise rejects with this error, revived by class, instead of never settling.
     */
    error?: SerializedError;
}

abstract class IpcCall<Params> {
    readonly method: string;
    /** Carries the params type only (never set), so {@link IpcParams} can infer it. */
    declare readonly paramsType?: Params;

    constructor(readonly scope: string, name: string) {
        this.method = `${scope}/${name}`;
    }

    /** Narrows an incoming message to this call's params. */
    is(message: IpcMessage): message is IpcMessage<Params> {
        return message.method === this.method;
    }
}

/** Webview → host, fire and forget. */
export class IpcCommand<Params = void> extends IpcCall<Params> {
    readonly kind = 'command' as const;
}

/** Webview → host, answered by the host with {@link response} carrying the same completionId. */
export class IpcRequest<Params = void, Response = void> extends IpcCall<Params> {
    readonly kind = 'request' as const;
    readonly response: IpcNotification<Response>;

    constructor(scope: string, name: string) {
        super(scope, name);
        this.response = new IpcNotification<Response>(scope, `${name}/response`);
    }
}

/** Host → webview. */
export class IpcNotification<Params = void> extends IpcCall<Params> {
    readonly kind = 'notification' as const;
}

/** The params type of a command, request or notification. */
export type IpcParams<T> = T extends IpcCall<infer P> ? P : never;
/** The response type of a request. */
export type IpcResponse<T> = T extends IpcRequest<unknown, infer R> ? R : never;

/** Whether `value` has the shape of an {@link IpcMessage}: postMessage data is untyped, so check before dispatching. */
export function isIpcMessage(value: unknown): value is IpcMessage {
    return typeof value === 'object' && value !== null && typeof (value as IpcMessage).method === 'string';
}

/**
 * Sent by every webview once its script has run and its listeners are attached. The host sends state only after it:
 * a message posted before the webview listens is lost, and waiting for this avoids any timer.
 */
export const readyCommand = new IpcCommand('core', 'ready');
