import { AddonUnavailableError } from '../../../shared/errors/AddonUnavailableError';
import { AttentionLimitError } from '../../../shared/errors/AttentionLimitError';
import { reviveError, serializeError } from '../../../shared/errors/serializeError';
import type { PanelState } from '../../../shared/protocols/attention';

/**
 * How a failed attention request is shown: an unavailable addon is a state of its own, with the way to fix it. The
 * error itself goes to the page too (without its stack), so the page recognises it by class ({@link limitFailure}).
 */
export function classifyFailure(error: unknown): Pick<PanelState, 'phase' | 'message' | 'error'> {
    const serialized = serializeError(error, { stack: false });
    if (error instanceof AddonUnavailableError) return { phase: 'unavailable', message: error.reason, error: serialized };
    return { phase: 'failed', message: serialized.message, error: serialized };
}

/** What to do about an unavailable addon; shown under the runtime's reason. */
export const unavailableHelp = 'Attention weights come from Promptscope\'s native addon, which links llama.cpp. Build it with '
    + '`npm run build:native` in the Promptscope folder (it needs g++, make and python3), then press Recompute. '
    + 'Token probabilities, runs and the playground do not need it.';

/** The panel's failure when the runtime refused the prompt for its length (the error says how long the prompt is). */
export function limitFailure(panel: Pick<PanelState, 'phase' | 'error'>): AttentionLimitError | undefined {
    if (panel.phase !== 'failed' || panel.error === undefined) return undefined;
    const error = reviveError(panel.error);
    return error instanceof AttentionLimitError ? error : undefined;
}

export function limitHelp(error: AttentionLimitError): string {
    return `Attention maps are drawn for at most ${error.limit} tokens (every query × key cell of every head has to cross `
        + 'to the panel). Shorten the prompt, or use `promptscope attention --layer L --json` for a single layer.';
}
