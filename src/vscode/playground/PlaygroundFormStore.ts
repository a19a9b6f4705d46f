import type * as vscode from 'vscode';
import { migrateForm } from '../../core/panels/playground/form';
import type { CompareState, PlaygroundForm } from '../../shared/protocols/playground';

const key = 'promptscope.playground.form';
const compareKey = 'promptscope.playground.compare';

/**
 * The playground form in workspaceState: a prompt belongs to the workspace it was written for. The last A/B compare
 * result is kept beside it, as the form it was run from is: a window reload starts a new extension host, whose first
 * state would otherwise tell the page there is no result (the page's own setState copy gives way to the host's).
 */
export class PlaygroundFormStore {
    constructor(private readonly memento: vscode.Memento) {}

    load(): PlaygroundForm {
        return migrateForm(this.memento.get<unknown>(key));
    }

    save(form: PlaygroundForm): Thenable<void> {
        return this.memento.update(key, migrateForm(form));
    }

    /** The last finished compare (done or failed); a compare still running when the window went is not resumed. */
    loadCompare(): CompareState | undefined {
        return finishedCompare(this.memento.get<unknown>(compareKey));
    }

    /** Keeps `state` once it is finished; a running one leaves the previous result stored. */
    saveCompare(state: CompareState): Thenable<void> | undefined {
        return finishedCompare(state) === undefined ? undefined : this.memento.update(compareKey, state);
    }
}

/** `value` when it is a finished compare state (stored data may come from an older version, or be damaged). */
function finishedCompare(value: unknown): CompareState | undefined {
    if (typeof value !== 'object' || value === null) return undefined;
    const state = value as Partial<CompareState>;
    if (typeof state.id !== 'number' || (state.phase !== 'done' && state.phase !== 'failed')) return undefined;
    if (state.phase === 'done' && (state.a === undefined || state.b === undefined || !Array.isArray(state.positions) || !Array.isArray(state.diff))) return undefined;
    return state as CompareState;
}
