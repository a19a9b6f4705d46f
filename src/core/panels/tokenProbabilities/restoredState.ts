import type { PanelState, ViewState } from '../../../shared/protocols/tokenProbabilities';

/**
 * The panel state to restore from what the webview kept in setState (the serializer hands it back after a reload):
 * its last state, with work that the reload interrupted marked as such (a computation failed, running branches
 * cancelled, a comparison failed: nothing is running in the new extension host), or a hint when nothing usable was kept. The saved state
 * is whatever the page last stored, so anything malformed gets the hint rather than an exception in the serializer.
 */
export function restoredState(saved: unknown): PanelState {
    const panel = (saved as Partial<ViewState> | undefined | null)?.panel;
    if (panel === undefined || panel === null || typeof panel !== 'object' || typeof panel.phase !== 'string' || !Array.isArray(panel.branches)) {
        return { title: '', phase: 'failed', message: 'Nothing to restore: run Show Token Probabilities again.', branches: [] };
    }
    // An inspected run's request lived in the old extension host only: there is nothing left to recompute.
    const { inspected: _inspected, ...kept } = panel;
    return {
        ...kept,
        ...(panel.phase === 'computing' ? { phase: 'failed' as const, message: 'interrupted by a reload: Recompute to run it again' } : {}),
        branches: panel.branches.filter(b => typeof b === 'object' && b !== null).map(b => b.status === 'running' ? { ...b, status: 'cancelled' as const } : b),
        ...(panel.comparison?.phase === 'computing'
            ? { comparison: { ...panel.comparison, phase: 'failed' as const, message: 'interrupted by a reload: Compare with model… again' } }
            : {}),
    };
}
