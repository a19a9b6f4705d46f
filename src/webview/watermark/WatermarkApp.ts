import { el } from '../shared/dom';
import { colouredTokensView, type ColouredToken } from '../shared/colouredTokens';
import type { HostConnection } from '../shared/HostConnection';
import { quotedToken } from '../tokenProbabilities/displayText';
import { reportNotification, type WatermarkReport, type WatermarkTokenView } from '../../shared/protocols/watermark';

function zText(z: number | null): string {
    return z === null ? 'n/a' : z.toFixed(2);
}

/** A token's line: its verdict and the running z (words, so the colour is never the only sign). */
function tokenLabel(token: WatermarkTokenView, i: number): string {
    const verdict = !token.scored
        ? (i === 0 ? 'not scored (no previous token)' : 'not scored (repeated pair)')
        : token.green ? 'green' : 'red';
    return `#${i} ${quotedToken(token.text)}: ${verdict}, running z ${zText(token.runningZ)}`;
}

/**
 * The Detect Watermark page: the verdict (z, p-value, green of scored), a legend, and the text's tokens coloured
 * green or red (unscored ones plain), each saying its running z on focus or hover. The report holds no key. Model
 * text is textContent only.
 */
export class WatermarkApp {
    constructor(private readonly root: HTMLElement, private readonly connection: HostConnection) {}

    start(): void {
        this.connection.onNotification(reportNotification, report => this.render(report));
        this.root.replaceChildren(el('p', { className: 'hint', text: 'Detecting…' }));
        this.connection.ready();
    }

    private render(report: WatermarkReport): void {
        const marked = report.z !== null && report.z >= report.threshold;
        const verdict = report.z === null
            ? 'Nothing was scored: the text is too short.'
            : marked ? `Watermarked: z ${zText(report.z)} ≥ ${report.threshold}.` : `No watermark found: z ${zText(report.z)} < ${report.threshold}.`;
        const facts: [string, string][] = [
            ['checked', report.source],
            ['model (tokenizer)', report.model],
            ['z', zText(report.z)],
            ['p-value', report.pValue.toExponential(2)],
            ['green', `${report.green} of ${report.scored} scored tokens (${report.scored > 0 ? ((report.green / report.scored) * 100).toFixed(1) : '0'}%; expected without a watermark: ${(report.gamma * 100).toFixed(0)}%)`],
            ['γ', String(report.gamma)],
            ['tokens', `${report.tokens.length}${report.ignoreRepeated ? ', repeated pairs scored once' : ''}`],
        ];
        const tokens: ColouredToken[] = report.tokens.map((token, i) => ({
            text: token.text,
            className: !token.scored ? 'wm-unscored' : token.green ? 'wm-green' : 'wm-red',
            label: tokenLabel(token, i),
        }));
        this.root.replaceChildren(el('main', {},
            el('h2', { className: marked ? 'verdict marked' : 'verdict', text: verdict, attrs: { role: 'status' } }),
            el('dl', { className: 'facts' }, ...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })])),
            el('p', { className: 'legend' },
                el('span', { className: 'coloured-token wm-green', text: 'green (in the key\'s green list)' }),
                el('span', { className: 'coloured-token wm-red', text: 'red' }),
                el('span', { className: 'coloured-token wm-unscored', text: 'not scored' }),
            ),
            ...colouredTokensView(tokens, {
                ariaLabel: 'Tokens with their green-list verdict',
                idle: 'Focus a token (arrow keys, Home and End move) or hover one: green or red, and the running z up to it.',
            }),
        ));
    }
}
