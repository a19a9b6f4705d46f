import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import { historyRequest, reopenCommand, type HistoryEntry } from '../../shared/protocols/playground';
import { button, onPress, setDisabled } from './elements';

/** The recent runs of the workspace's run history (the CLI's too), each to open in the form or run again. */
export class HistorySection {
    readonly element: HTMLElement;
    private readonly historyList = el('ol', { className: 'history', attrs: { 'aria-label': 'Recent runs' } });

    constructor(private readonly connection: HostConnection) {
        const refresh = button('Refresh', { secondary: true, ariaLabel: 'Refresh the history' });
        onPress(refresh, () => void this.load());
        this.element = el('fieldset', {}, el('legend', { text: 'History' }), el('div', { className: 'row' }, refresh), this.historyList);
    }

    async load(): Promise<void> {
        let entries: HistoryEntry[];
        try {
            entries = await this.connection.request(historyRequest, undefined);
        } catch (error) {
            this.historyList.replaceChildren(el('li', { className: 'error', text: `Could not list the runs: ${failureMessage(error)}` }));
            return;
        }
        if (entries.length === 0) {
            this.historyList.replaceChildren(el('li', { className: 'hint', text: 'No runs yet (the history lives in .promptscope/runs/ of the workspace).' }));
            return;
        }
        this.historyList.replaceChildren(...entries.map(entry => {
            const reopen = button('Open', { secondary: true, ariaLabel: `open the run of ${entry.time}` });
            const rerun = button('Re-run', { secondary: true, ariaLabel: `re-run the run of ${entry.time}` });
            setDisabled(reopen, !entry.openable);
            setDisabled(rerun, !entry.openable);
            onPress(reopen, () => this.connection.send(reopenCommand, { key: entry.key, run: false }));
            onPress(rerun, () => this.connection.send(reopenCommand, { key: entry.key, run: true }));
            return el('li', { className: 'history-entry' },
                el('span', { className: 'hint', text: `${entry.time.replace('T', ' ').slice(0, 19)} · ${entry.command}${entry.seed !== null ? ` · seed ${entry.seed}` : ''}` }),
                el('span', { className: 'preview', text: entry.preview }),
                el('span', { className: 'history-output', text: `→ ${entry.output}` }),
                el('span', { className: 'row' }, reopen, rerun));
        }));
    }
}
