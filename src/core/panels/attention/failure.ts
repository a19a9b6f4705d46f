import { maxAttentionTokens, type PanelPhase } from '../../../shared/protocols/attention';

/** The runtime's prefix for an addon that could not be built or loaded (src/runtime/host/engine/attentionAddon.ts). */
const unavailablePrefix = 'attention capture unavailable:';

/** How a failed attention request is shown: an unavailable addon is a state of its own, with the way to fix it. */
export function classifyFailure(message: string): { phase: PanelPhase; message: string } {
    const at = message.indexOf(unavailablePrefix);
    if (at >= 0) return { phase: 'unavailable', message: message.slice(at + unavailablePrefix.length).trim() };
    return { phase: 'failed', message };
}

/** What to do about an unavailable addon; shown under the runtime's reason. */
export const unavailableHelp = 'Attention weights come from Promptscope\'s native addon, which links llama.cpp. Build it with '
    + '`npm run build:native` in the Promptscope folder (it needs g++, make and python3), then press Recompute. '
    + 'Token probabilities, runs and the playground do not need it.';

/** Whether the runtime refused the prompt for its length (it says how long the prompt is). */
export function isLimitMessage(message: string): boolean {
    return /limited to \d+ tokens/.test(message);
}

export function limitHelp(): string {
    return `Attention maps are drawn for at most ${maxAttentionTokens} tokens (every query × key cell of every head has to cross `
        + 'to the panel). Shorten the prompt, or use `promptscope attention --layer L --json` for a single layer.';
}
