import { el } from '../shared/dom';
import type { HostConnection } from '../shared/HostConnection';
import { openPromptCommand, savePromptCommand, stopCommand, type HostState, type PlaygroundForm } from '../../shared/protocols/playground';
import { button, onPress, setDisabled } from './elements';
import { speculationResult } from './speculationResult';

/** Run, Stop, Save as .prompt and Open .prompt…, then the run's notice, status, streamed output and figures. */
export class RunSection {
    /** The button row, the notice, the status, the output and the figures, in page order. */
    readonly elements: HTMLElement[];
    private readonly runButton = button('Run', { title: 'Run (Ctrl+Enter)' });
    private readonly stopButton = button('Stop', { secondary: true });
    private readonly notice = el('p', { className: 'notice', attrs: { role: 'status', 'aria-live': 'polite' } });
    private readonly status = el('p', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
    private readonly output = el('pre', { className: 'output', attrs: { 'aria-label': 'Output', tabindex: '0' } });
    private readonly stats = el('dl', { className: 'facts' });
    /** A speculative run's acceptance: figures and tokens coloured by source. */
    private readonly speculation = el('div', { className: 'speculation-result' });
    /** The run whose speculation is shown, so a re-render (any host state) keeps the focus inside the token list. */
    private speculationRun: number | undefined;

    /** `run` runs the form (after validating it); `form` is the form as typed, which Save as .prompt sends. */
    constructor(connection: HostConnection, run: () => void, form: () => PlaygroundForm) {
        const save = button('Save as .prompt', { secondary: true });
        onPress(save, () => connection.send(savePromptCommand, form()));
        const open = button('Open .prompt…', { secondary: true });
        onPress(open, () => connection.send(openPromptCommand, undefined));
        onPress(this.runButton, run);
        onPress(this.stopButton, () => connection.send(stopCommand, undefined));
        this.elements = [el('div', { className: 'row' }, this.runButton, this.stopButton, save, open), this.notice, this.status, this.output, this.stats, this.speculation];
    }

    /** The output so far of the run being streamed. */
    showOutput(text: string): void {
        this.output.textContent = text;
    }

    render(state: HostState | undefined): void {
        const run = state?.run;
        const running = run?.phase === 'running';
        this.notice.textContent = state?.notice ?? '';
        setDisabled(this.runButton, running);
        setDisabled(this.stopButton, !running);
        this.status.className = `status ${run?.phase ?? 'idle'}`;
        this.status.textContent = run === undefined ? '' : run.phase === 'failed'
            ? `Failed: ${run.error ?? 'see the highlighted fields'}`
            : { idle: '', running: 'Running…', done: 'Done', stopped: 'Stopped' }[run.phase];
        this.output.textContent = run?.output ?? '';
        const s = run?.stats;
        const facts: [string, string][] = s === undefined ? [] : [
            ['time to first token', `${Math.round(s.timeToFirstTokenMs)} ms`],
            ['speed', `${s.tokensPerSecond.toFixed(1)} tokens/s`],
            ['prompt tokens', String(s.promptTokens)],
            ['generated tokens', String(s.generatedTokens)],
            ['stop', s.stopReason],
            ['seed', String(s.seed)],
        ];
        this.stats.replaceChildren(...facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', { text: value })]));
        const speculation = run?.speculation;
        const shown = speculation !== undefined ? run!.id : undefined;
        if (shown !== this.speculationRun) {
            this.speculationRun = shown;
            this.speculation.replaceChildren(...(speculation !== undefined ? [speculationResult(speculation)] : []));
        }
    }
}
