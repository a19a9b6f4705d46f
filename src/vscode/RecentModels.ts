import type * as vscode from 'vscode';
import type { ModelRef } from '../core/model/modelRef';
import { forgetModel, parseRecentModels, rememberModel, type RecentModel } from '../core/model/recentModels';

/** Models the user loaded before, kept in global state (paths are per machine, so not synced). */
export class RecentModels {
    private static readonly key = 'promptscope.recentModels';

    constructor(private readonly state: vscode.Memento) {}

    /** Most recent first. */
    get list(): RecentModel[] {
        return parseRecentModels(this.state.get(RecentModels.key));
    }

    async remember(ref: ModelRef, name?: string): Promise<void> {
        await this.state.update(RecentModels.key, rememberModel(this.list, { ref, ...(name !== undefined ? { name } : {}), lastUsed: Date.now() }));
    }

    async forget(ref: ModelRef): Promise<void> {
        await this.state.update(RecentModels.key, forgetModel(this.list, ref));
    }
}
