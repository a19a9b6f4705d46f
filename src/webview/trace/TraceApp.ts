import { el } from '../shared/dom';
import { failureMessage } from '../shared/failureMessage';
import type { HostConnection } from '../shared/HostConnection';
import type { VsCodeApi } from '../shared/vscodeApi';
import { ReasoningTraceView, type TraceViewState } from '../shared/ReasoningTraceView';
import { exportTraceRequest, traceStateNotification, type TracePanelState } from '../../shared/protocols/reasoningTrace';

/** What the page keeps with setState: the host's state and the tree's collapsed and focused nodes. */
export interface TraceAppViewState {
    panel: TracePanelState;
    tree: TraceViewState;
}

/**
 * The Run reasoning trace panel: the prompt, strategy and phase, an Export JSON button, and the trace tree
 * (ReasoningTraceView, the evaluation panel's component). Model text only ever goes in through textContent.
 */
export class TraceApp {
    private view: TraceAppViewState;
    private readonly header = el('header', { className: 'header' });
    private readonly status = el('div', { className: 'status', attrs: { role: 'status' } });
    private readonly body = el('section', { className: 'trace-body', attrs: { 'aria-label': 'Reasoning trace' } });

    constructor(private readonly root: HTMLElement, private readonly host: HostConnection, private readonly api: VsCodeApi<TraceAppViewState>) {
        this.view = api.getState() ?? { panel: { prompt: '', strategy: 'direct', phase: 'running' }, tree: { collapsed: [] } };
    }

    start(): void {
        this.host.onNotification(traceStateNotification, panel => {
            // Another run's trace starts with every node open; the same run's keeps what the user closed.
            const same = this.view.panel.trace !== undefined && panel.trace !== undefined && JSON.stringify(this.view.panel.trace) === JSON.stringify(panel.trace);
            this.view = { panel, tree: same ? this.view.tree : { collapsed: [] } };
            this.render();
        });
        this.root.replaceChildren(this.header, this.status, this.body);
        this.render();
        this.host.ready();
    }

    private render(): void {
        this.api.setState(this.view);
        const { panel } = this.view;
        const button = el('button', { text: 'Export JSON', className: 'secondary' });
        button.disabled = panel.trace === undefined;
        button.addEventListener('click', () => void this.host.request(exportTraceRequest, {}).catch((error: unknown) => {
            this.status.className = 'status failed';
            this.status.textContent = `Export failed: ${failureMessage(error)}`;
        }));
        this.header.replaceChildren(
            el('h1', { text: panel.prompt === '' ? 'Reasoning trace' : `Reasoning trace — ${panel.prompt}` }),
            el('div', { className: 'toolbar' }, el('span', { className: 'strategy', text: `Strategy: ${panel.strategy}` }), el('div', { className: 'actions' }, button)),
        );
        this.status.className = `status ${panel.phase}`;
        this.status.textContent = panel.phase === 'running' ? 'Running… the trace shows when the run is done.'
            : panel.phase === 'failed' ? `Failed: ${panel.message ?? 'see the Promptscope log'}`
                : panel.phase === 'cancelled' ? `Cancelled${panel.trace ? ': the trace of what ran before the stop' : ''}`
                    : `Done: answer ${panel.trace?.answer ?? '(none)'}`;
        this.body.replaceChildren(...(panel.trace === undefined ? [] : [new ReasoningTraceView(panel.trace, this.view.tree, panel.prompt, () => this.api.setState(this.view)).element]));
    }
}
