import { el } from '../shared/dom';
import { colouredTokensView, type ColouredToken } from '../shared/colouredTokens';
import { quotedToken } from '../tokenProbabilities/displayText';
import type { SpeculationView } from '../../shared/protocols/playground';

/** A token's line: its place, its source, and the drafts it replaced (their text quoted, never interpreted). */
function tokenLabel(view: SpeculationView, i: number): string {
    const token = view.tokens[i]!;
    const source = token.source === 'accepted' ? 'accepted draft' : 'the model\'s own';
    const rejected = token.rejected !== undefined
        ? `; replaced rejected draft ${token.rejected.map(text => quotedToken(text)).join(', ')}`
        : '';
    return `#${i} ${quotedToken(token.text)}: ${source}${rejected}`;
}

/**
 * The speculation of a finished run: its figures (acceptance rate, rounds, tokens per model evaluation, draft and
 * verify time), a legend, and the generated tokens coloured by source, a mark before each token that replaced a
 * rejected draft. The colours carry no meaning alone: the legend's words and each token's label say it.
 */
export function speculationResult(view: SpeculationView): HTMLElement {
    const rate = view.acceptanceRate !== undefined ? `${(view.acceptanceRate * 100).toFixed(1)}%` : 'nothing drafted';
    const facts: [string, string][] = [
        ['speculation', view.method === 'draft-model' ? `draft model ${view.draftModel ?? ''}` : 'prompt lookup'],
        ['acceptance', `${view.accepted}/${view.drafted} drafts (${rate})`],
        ['rounds', String(view.rounds)],
        ...(view.tokensPerRound !== undefined ? [['speed-up', `${view.tokensPerRound.toFixed(2)} tokens per model evaluation (plain decoding: 1)`] as [string, string]] : []),
        ['draft time', `${Math.round(view.draftMs)} ms`],
        ['verify time', `${Math.round(view.verifyMs)} ms`],
    ];
    const legend = el('p', { className: 'legend' },
        el('span', { className: 'coloured-token spec-accepted', text: 'accepted draft' }),
        el('span', { className: 'coloured-token spec-sampled', text: 'model\'s own token' }),
        el('span', { className: 'coloured-token spec-sampled spec-rejected', text: 'replaced a rejected draft' }),
    );
    const tokens: ColouredToken[] = view.tokens.map((token, i) => ({
        text: token.text,
        className: `spec-${token.source}${token.rejected !== undefined ? ' spec-rejected' : ''}`,
        label: tokenLabel(view, i),
    }));
    return el('section', { className: 'speculation', attrs: { 'aria-label': 'Speculative decoding' } },
        el('h3', { text: 'Speculative decoding' }),
        el('dl', { className: 'facts' }, ...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })])),
        legend,
        ...colouredTokensView(tokens, {
            ariaLabel: 'Generated tokens by source',
            idle: 'Focus a token (arrow keys, Home and End move) or hover one: where it came from, and the draft it replaced.',
            className: 'speculation-tokens',
        }),
    );
}
