/**
 * Workspace Trust decisions for model and adapter paths, kept free of `vscode` so unit tests can
 * run them. Loading a model runs llama.cpp's GGUF parser on the file (and an `hf:` URI downloads
 * one), so a path an untrusted repository chose is not loaded without the user saying so.
 */

/** Where a model or adapter reference came from. */
export type PathOrigin =
    /** User settings, the model picker, the recent list: the user's own choice. */
    | 'user'
    /** `.vscode/settings.json` or a `.code-workspace` file. */
    | 'workspaceSettings'
    /** A file in the workspace, e.g. a `.prompt` file's front matter. */
    | 'workspaceFile';

/** The layers of a setting as `WorkspaceConfiguration.inspect()` reports them (the fields we use). */
export interface SettingLayers<T> {
    defaultValue?: T;
    globalValue?: T;
    workspaceValue?: T;
    workspaceFolderValue?: T;
}

export interface SettingChoice<T> {
    /** The value to load, before any trust check. */
    value: T | undefined;
    origin: PathOrigin;
    /** The user's own value (user settings or the default), to use when the workspace's value is declined. */
    fallback?: T;
}

/**
 * Which value of a path-like setting applies and where it came from. The workspace layers win (as
 * in VS Code) but are reported as `workspaceSettings` so the caller can ask before loading them: in
 * an untrusted workspace VS Code itself ignores a restricted setting's workspace value, and we only
 * offer it behind a confirmation.
 */
export function chooseSetting<T>(layers: SettingLayers<T>, isSet: (value: T) => boolean = v => v !== undefined): SettingChoice<T> {
    const set = (value: T | undefined): value is T => value !== undefined && isSet(value);
    const workspace = [layers.workspaceFolderValue, layers.workspaceValue].find(set);
    const user = [layers.globalValue, layers.defaultValue].find(set);
    // A workspace repeating the user's own value asks for nothing the user has not chosen.
    if (workspace !== undefined && !sameValue(workspace, user)) {
        return { value: workspace, origin: 'workspaceSettings', ...(user !== undefined ? { fallback: user } : {}) };
    }
    return { value: user ?? workspace, origin: 'user' };
}

/** What the user said earlier this session about one workspace-chosen path. */
export type EarlierAnswer = 'allowed' | 'declined';

/** `load` without asking, `ask` with a modal confirmation, or `skip` because the user already declined. */
export type TrustDecision = 'load' | 'ask' | 'skip';

export function decidePathTrust(input: { workspaceTrusted: boolean; origin: PathOrigin; earlier?: EarlierAnswer }): TrustDecision {
    if (input.origin === 'user' || input.workspaceTrusted) return 'load';
    if (input.earlier === 'allowed') return 'load';
    if (input.earlier === 'declined') return 'skip';
    return 'ask';
}

function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}
