import { normalize } from 'node:path';
import { isHfUri, type ModelRef } from './modelRef';

/** A model the user loaded before, most recent first in a list. */
export interface RecentModel {
    ref: ModelRef;
    /** The model's own name (`general.name`) when it was loaded, for display. */
    name?: string;
    /** Milliseconds since the epoch. */
    lastUsed: number;
}

/** How many models the recent list keeps. */
export const maxRecentModels = 10;

/** Whether two references name the same model (paths compared after normalization; case-insensitive on Windows and macOS). */
export function sameModelRef(a: ModelRef, b: ModelRef, platform: NodeJS.Platform = process.platform): boolean {
    if (isHfUri(a) || isHfUri(b)) return a.trim() === b.trim();
    const na = normalize(a.trim());
    const nb = normalize(b.trim());
    return platform === 'win32' || platform === 'darwin' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

/** `list` with `entry` moved (or added) to the front, without duplicates, at most `max` long. */
export function rememberModel(list: readonly RecentModel[], entry: RecentModel, max = maxRecentModels): RecentModel[] {
    return [entry, ...list.filter(m => !sameModelRef(m.ref, entry.ref))].slice(0, max);
}

/** `list` without `ref`. */
export function forgetModel(list: readonly RecentModel[], ref: ModelRef): RecentModel[] {
    return list.filter(m => !sameModelRef(m.ref, ref));
}

/**
 * The recent list as stored in editor state, tolerating anything: state written by another version
 * or edited by hand must not break the model picker. Invalid entries are dropped; most recent first.
 */
export function parseRecentModels(stored: unknown, max = maxRecentModels): RecentModel[] {
    if (!Array.isArray(stored)) return [];
    const valid: RecentModel[] = [];
    for (const item of stored) {
        if (typeof item !== 'object' || item === null) continue;
        const { ref, name, lastUsed } = item as Record<string, unknown>;
        if (typeof ref !== 'string' || ref.trim() === '') continue;
        if (valid.some(m => sameModelRef(m.ref, ref))) continue;
        valid.push({
            ref,
            ...(typeof name === 'string' && name !== '' ? { name } : {}),
            lastUsed: typeof lastUsed === 'number' && Number.isFinite(lastUsed) ? lastUsed : 0,
        });
    }
    return valid.sort((a, b) => b.lastUsed - a.lastUsed).slice(0, max);
}
