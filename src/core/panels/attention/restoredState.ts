import type { PanelState, ViewState } from '../../../shared/protocols/attention';

/**
 * The panel state to restore from what the webview kept in setState (the serializer hands it back after a reload):
 * its last state, with a capture that the reload interrupted marked as such, or a hint when nothing usable was kept.
 */
export function restoredState(saved: unknown): PanelState {
    const panel = (saved as Partial<ViewState> | undefined)?.panel;
    if (panel === undefined || panel === null || typeof panel !== 'object' || typeof panel.phase !== 'string') {
        return { title: '', phase: 'failed', message: 'Nothing to restore: run Show Attention again.' };
    }
    // An inspected run's request lived in the old extension host only: there is nothing left to recompute.
    const { inspected: _inspected, ...kept } = panel;
    if (kept.phase !== 'computing') return kept;
    const { pendingLayer: _pending, error: _error, ...rest } = kept;
    return { ...rest, phase: rest.report !== undefined ? 'done' : 'failed', message: 'interrupted by a reload: Recompute to run it again' };
}
