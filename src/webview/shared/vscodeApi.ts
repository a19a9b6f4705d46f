/** The API VS Code injects into webviews. It may be acquired only once per page, so every module gets it from here. */
export interface VsCodeApi<State> {
    postMessage(message: unknown): void;
    getState(): State | undefined;
    setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

let api: VsCodeApi<unknown> | undefined;

export function vscodeApi<State>(): VsCodeApi<State> {
    api ??= acquireVsCodeApi<unknown>();
    return api as VsCodeApi<State>;
}
