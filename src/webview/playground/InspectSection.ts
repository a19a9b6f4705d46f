import { el } from '../shared/dom';
import type { HostConnection } from '../shared/HostConnection';
import { showAttentionCommand, showDecodingLabCommand, showProbabilitiesCommand, type HostState } from '../../shared/protocols/playground';
import { button, onPress, setDisabled } from './elements';

/** Show probabilities, Show attention and Decoding Lab of the last finished run, with what that run was. */
export class InspectSection {
    readonly element: HTMLElement;
    private readonly probabilitiesButton = button('Show probabilities', { secondary: true, id: 'show-probabilities' });
    private readonly attentionButton = button('Show attention', { secondary: true, id: 'show-attention' });
    private readonly decodingLabButton = button('Decoding Lab', { secondary: true, id: 'show-decoding-lab' });
    private readonly inspectHint = el('span', { className: 'hint', attrs: { id: 'inspect-hint' } });

    constructor(connection: HostConnection) {
        this.element = el('div', { className: 'row inspect', attrs: { role: 'group', 'aria-label': 'Inspect the last run', 'aria-describedby': 'inspect-hint' } },
            this.probabilitiesButton, this.attentionButton, this.decodingLabButton, this.inspectHint);
        onPress(this.probabilitiesButton, () => connection.send(showProbabilitiesCommand, undefined));
        onPress(this.attentionButton, () => connection.send(showAttentionCommand, undefined));
        onPress(this.decodingLabButton, () => connection.send(showDecodingLabCommand, undefined));
    }

    render(state: HostState | undefined): void {
        // The panels inspect the last finished run; while another runs, "last" is about to change.
        const running = state?.run.phase === 'running';
        const last = state?.lastRun;
        setDisabled(this.probabilitiesButton, last === undefined || running);
        setDisabled(this.attentionButton, last === undefined || running);
        setDisabled(this.decodingLabButton, last === undefined || running);
        this.inspectHint.textContent = last === undefined ? 'Available after a run.'
            : `Run ${last.id}: its prompt, sampling, seed and adapters, and its ${last.generatedTokens} generated token${last.generatedTokens === 1 ? '' : 's'}.`;
    }
}
