import { el } from '../shared/dom';
import { quotedToken } from './displayText';
import type { ProbabilityToken, TokenSpeculation } from '../../shared/protocols/tokenProbabilities';

/**
 * A speculative run's generated tokens in the probabilities panel: the background stays the chosen metric's, so the
 * source is an underline (solid green: accepted draft; dotted: the model's own) and a red bar marks where a draft was
 * rejected; the words are in each token's title and accessible name, and in the legend.
 */

/** The speculation of each generated token, by its index in the report (the n-th generated token gets the n-th entry). */
export function speculationByIndex(tokens: readonly ProbabilityToken[], speculation: readonly TokenSpeculation[] | undefined): Map<number, TokenSpeculation> {
    const byIndex = new Map<number, TokenSpeculation>();
    if (speculation === undefined) return byIndex;
    let n = 0;
    for (const token of tokens) {
        if (token.source !== 'generated') continue;
        const entry = speculation[n++];
        if (entry !== undefined) byIndex.set(token.index, entry);
    }
    return byIndex;
}

/** `accepted draft`, or `the model's own`, with the drafts it replaced. */
export function speculationText(s: TokenSpeculation): string {
    const source = s.source === 'accepted' ? 'accepted draft' : 'the model\'s own (not drafted or draft rejected)';
    return s.rejected !== undefined ? `${source}; replaced rejected draft ${s.rejected.map(text => quotedToken(text)).join(', ')}` : source;
}

/** Marks a generated token's chip with its source (classes styled in media/webview/tokenProbabilities.css). */
export function markSpeculation(chip: HTMLElement, s: TokenSpeculation | undefined): void {
    if (s === undefined) return;
    chip.classList.add(s.source === 'accepted' ? 'spec-accepted' : 'spec-sampled');
    if (s.rejected !== undefined) chip.classList.add('spec-rejected');
}

/** The legend line, with the run's counts. */
export function speculationLegend(speculation: readonly TokenSpeculation[]): HTMLElement {
    const accepted = speculation.filter(s => s.source === 'accepted').length;
    const rejected = speculation.filter(s => s.rejected !== undefined).length;
    return el('p', { className: 'speculation-legend' },
        el('span', { text: `Speculative run: ${accepted} of ${speculation.length} generated tokens were accepted drafts. ` }),
        el('span', { className: 'spec-accepted', text: 'accepted draft' }),
        el('span', { className: 'spec-sampled', text: 'model\'s own' }),
        el('span', { className: 'spec-sampled spec-rejected', text: `replaced a rejected draft (${rejected})` }),
    );
}
