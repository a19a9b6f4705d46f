import type { LabState, LabViewState } from '../../../shared/protocols/decodingLab';
import { defaultColumns } from './columns';

/**
 * The lab to restore from what the page kept in setState (handed back by the serializer after a reload): its last
 * state with work the reload interrupted marked as cancelled, or a hint when nothing usable was kept. Whatever the
 * page stored may be malformed, so anything odd gets the hint rather than an exception in the serializer.
 */
export function restoredState(saved: unknown): LabState {
    const lab = (saved as Partial<LabViewState> | undefined | null)?.lab;
    if (lab === undefined || lab === null || typeof lab !== 'object' || typeof lab.phase !== 'string' || !Array.isArray(lab.columns)
        || typeof lab.maxTokens !== 'number') {
        return {
            title: '', phase: 'failed', message: 'Nothing to restore: open the Decoding Lab again.', maxTokens: 32,
            columns: defaultColumns().map((settings, i) => ({ id: i + 1, settings, phase: 'pending' })),
        };
    }
    // An inspected run's request lived in the old extension host only: there is nothing left to recompute.
    const { inspected: _inspected, ...kept } = lab;
    const interrupted = 'interrupted by a reload: Recompute to decode it again';
    return {
        ...kept,
        ...(lab.phase === 'computing' ? { phase: 'failed' as const, message: interrupted } : {}),
        columns: lab.columns.filter(c => typeof c === 'object' && c !== null).map(c => c.phase === 'running' || c.phase === 'pending'
            ? { ...c, phase: 'failed' as const, failure: { kind: 'cancelled' as const, message: interrupted } }
            : c),
    };
}
