import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeClient } from '../../runtime/client/RuntimeClient';
import type { ChatMessage, LoraAdapterSpec } from '../../shared/runtimeApi';
import type { SamplingOptions } from '../../shared/sampling';
import { maxLabColumns, maxLabTokens, type DecodingSettings } from '../../shared/decoding';
import { DecodingSettingsError } from '../../shared/errors/DecodingSettingsError';
import {
    addColumnRequest, cancelCommand, decodingLabViewType, exportColumnRequest, recomputeCommand, removeColumnRequest, setMaxTokensRequest,
    stateNotification, updateColumnRequest, type DecodingColumn, type LabState,
} from '../../shared/protocols/decodingLab';
import { decodeMethod, type DecodeTarget } from '../../core/decoding/decodeMethod';
import { validateDecodingSettings, validateMaxTokens } from '../../core/decoding/validateDecodingSettings';
import { columnTitle } from '../../core/panels/decodingLab/columns';
import { sequenceView, treeTokens, treeView } from '../../core/panels/decodingLab/columnViews';
import { exportColumn, exportName } from '../../core/panels/decodingLab/exportColumn';
import { InspectionPanel, type InspectionPanelKind, type InspectionPanelOptions } from '../inspection/InspectionPanel';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { formatSampling } from '../prompt/outputHeader';
import { writeExport } from '../writeExport';
import { columnFailure } from './columnFailure';

export const decodingLabPanelKind: InspectionPanelKind<LabState> = {
    viewType: decodingLabViewType,
    page: 'decodingLab',
    titlePrefix: 'Decoding Lab',
    shows: 'decoding',
    stateNotification,
    recomputeCommand,
};

/** The prompt every column decodes, as prepared once per computation. */
interface LabPrompt {
    prompt: ChatMessage[] | string;
    sampling: SamplingOptions;
    lora?: LoraAdapterSpec[];
}

/** Tokens a column generates when the prompt does not say (`promptscope decode`'s default). */
const defaultMaxTokens = 32;

/**
 * The Decoding Lab for one `.prompt` file (or the playground's last run): the prompt decoded by several methods side
 * by side, one column each (greedy, beam search, samples), every column with its tokens' raw log-probabilities and a
 * beam column with its search tree. Columns decode one after another on the shared model, under one cancellable
 * progress notification; a column added or changed while others decode joins the queue. The numbers come from
 * core's decodeMethod, as `promptscope decode` prints them.
 */
export class DecodingLabPanel extends InspectionPanel<LabState> {
    private prepared: LabPrompt | undefined;
    /** The decoding under way (one at a time), and what stops it. */
    private decoding: { done: Promise<LabState>; abort: AbortController } | undefined;
    /** The column decoding now, and what stops it alone (its removal or new settings). */
    private running: { id: number; abort: AbortController } | undefined;

    constructor(panel: vscode.WebviewPanel, options: InspectionPanelOptions, state: LabState) {
        super(panel, options, state, decodingLabPanelKind);
        this.connection.onRequest(addColumnRequest, ({ settings }) => ({ id: this.addColumn(settings).id }));
        this.connection.onRequest(updateColumnRequest, ({ id, settings }) => void this.updateColumn(id, settings));
        this.connection.onRequest(removeColumnRequest, ({ id }) => this.removeColumn(id));
        this.connection.onRequest(setMaxTokensRequest, ({ maxTokens }) => void this.setMaxTokens(maxTokens));
        this.connection.onRequest(exportColumnRequest, ({ id }) => this.export(id));
        this.connection.onCommand(cancelCommand, () => this.cancel());
    }

    /** Prepares `uri` as Run Prompt does and decodes every column. */
    async computeFor(uri: vscode.Uri): Promise<LabState> {
        const abort = this.begin(basename(uri.path), uri.toString(), false, { columns: this.pendingColumns() });
        this.inspected = undefined;
        const outcome = await this.preparePanelPrompt(uri);
        if (this.compute !== abort) return this.state;
        if ('failed' in outcome) return this.fail(abort, outcome.failed);
        const { ready } = outcome;
        // The lab decodes on the embedded runtime only: a prompt meant for a server is not decoded by another model.
        const refused = this.options.prompts.embeddedOnly('beamSearch', ready.prepared, ready.document);
        if (refused !== undefined) return this.fail(abort, refused);
        const { prepared } = ready;
        return this.decodeAll(abort, { prompt: prepared.messages, sampling: prepared.sampling, ...(prepared.lora.length > 0 ? { lora: prepared.lora } : {}) });
    }

    /** Decodes the prompt of a run given as a request (the playground's last run), under its sampling and adapters. */
    async computeRequest(request: InspectionRequest): Promise<LabState> {
        const abort = this.begin(request.title, undefined, true, { columns: this.pendingColumns() });
        this.inspected = request;
        return this.decodeAll(abort, { prompt: request.prompt, sampling: request.sampling, ...(request.lora !== undefined ? { lora: request.lora } : {}) });
    }

    /** Adds a column with `settings` (checked first) and decodes it. */
    addColumn(settings: DecodingSettings): DecodingColumn {
        const checked = validateDecodingSettings(settings);
        if (this.state.columns.length >= maxLabColumns) throw new DecodingSettingsError('columns', this.state.columns.length + 1, `at most ${maxLabColumns}: remove one first`);
        const column: DecodingColumn = { id: Math.max(0, ...this.state.columns.map(c => c.id)) + 1, settings: checked, phase: 'pending' };
        this.update({ columns: [...this.state.columns, column] });
        void this.decodePending();
        return column;
    }

    /** Changes column `id`'s settings (checked first) and decodes it again; resolves when the queue has run. */
    updateColumn(id: number, settings: DecodingSettings): Promise<LabState> {
        const checked = validateDecodingSettings(settings);
        this.columnOf(id);
        if (this.running?.id === id) this.running.abort.abort();
        this.setColumns(c => c.id === id ? { id, settings: checked, phase: 'pending' } : c);
        return this.decodePending();
    }

    removeColumn(id: number): void {
        this.columnOf(id);
        if (this.running?.id === id) this.running.abort.abort();
        this.update({ columns: this.state.columns.filter(c => c.id !== id) });
    }

    /**
     * Sets the tokens every column generates (checked at once: a refusal throws before anything stops) and decodes them
     * all again; resolves when they have been.
     */
    setMaxTokens(maxTokens: number): Promise<LabState> {
        validateMaxTokens(maxTokens);
        return this.stopDecoding().then(() => {
            this.update({ maxTokens, maxTokensChosen: true, columns: this.pendingColumns() });
            return this.decodePending();
        });
    }

    /** Stops the decoding under way; columns not decoded yet are marked cancelled. */
    cancel(): void {
        this.decoding?.abort.abort();
    }

    /** Stops the decoding under way and waits until it has let go of the model. */
    private async stopDecoding(): Promise<void> {
        while (this.decoding !== undefined) {
            this.decoding.abort.abort();
            await this.decoding.done;
        }
    }

    /** Starts decoding the pending columns when nothing decodes; resolves when no column is pending any more. */
    async decodePending(): Promise<LabState> {
        while (this.decoding !== undefined) await this.decoding.done;
        if (this.disposed || !this.state.columns.some(c => c.phase === 'pending')) return this.state;
        if (this.prepared === undefined) {
            // A lab restored after a reload has its columns but not the prepared prompt: prepare it (decoding them all).
            if (this.compute === undefined && this.promptUri !== undefined) return this.computeFor(this.promptUri);
            return this.state;
        }
        const abort = new AbortController();
        const done = this.decodeQueue(abort, this.prepared).finally(() => {
            if (this.decoding?.abort === abort) this.decoding = undefined;
        });
        this.decoding = { done, abort };
        return done;
    }

    protected override stopWork(): void {
        this.decoding?.abort.abort();
    }

    private async decodeAll(abort: AbortController, prompt: LabPrompt): Promise<LabState> {
        // A new computation waits for the one it abandoned to let go of the model (begin() aborted it).
        await this.stopDecoding();
        if (this.compute !== abort || this.disposed) return this.state;
        this.prepared = prompt;
        const maxTokens = this.state.maxTokensChosen === true ? this.state.maxTokens : Math.min(maxLabTokens, prompt.sampling.maxTokens ?? defaultMaxTokens);
        this.update({ maxTokens, sampling: formatSampling({ ...prompt.sampling, maxTokens }), columns: this.pendingColumns() });
        const done = this.decodeQueue(abort, prompt).finally(() => {
            if (this.decoding?.abort === abort) this.decoding = undefined;
        });
        this.decoding = { done, abort };
        const state = await done;
        if (this.compute === abort) this.compute = undefined;
        return state;
    }

    /** Decodes the pending columns one after another (including those added meanwhile) under one progress notification. */
    private async decodeQueue(abort: AbortController, prompt: LabPrompt): Promise<LabState> {
        // Said until the model is there: loading it, or the model picker waiting for a choice when none is configured.
        this.update({ phase: 'computing', message: 'Waiting for the model…' });
        const result = await this.withProgress(`Promptscope: decoding ${this.state.title}`, abort, async client => {
            const model = client.loadedModel?.name;
            this.update({ message: undefined, ...(model !== undefined ? { model } : {}) });
            for (let column = this.nextPending(); column !== undefined && !abort.signal.aborted && !this.disposed; column = this.nextPending()) {
                await this.decodeColumn(client, column, prompt, abort.signal);
            }
            return true;
        });
        if (this.disposed) return this.state;
        // What never ran (cancelled, no model) says so. A column added after the loop ended stays pending: the
        // decodePending that added it starts the next queue.
        if (abort.signal.aborted || result === undefined) {
            const reason = abort.signal.aborted ? 'cancelled before it ran' : 'not decoded: no model (see the message)';
            this.setColumns(c => c.phase === 'pending' || c.phase === 'running'
                ? { ...c, phase: 'failed', failure: { kind: abort.signal.aborted ? 'cancelled' : 'noModel', message: reason } } : c);
        }
        const failed = this.state.columns.filter(c => c.phase === 'failed').length;
        this.update(result === undefined || abort.signal.aborted
            ? { phase: 'failed', message: abort.signal.aborted ? 'cancelled' : 'no model is loaded (see the message)' }
            : { phase: 'done', message: failed > 0 ? `${failed} of ${this.state.columns.length} columns failed` : undefined });
        return this.state;
    }

    private nextPending(): DecodingColumn | undefined {
        return this.state.columns.find(c => c.phase === 'pending');
    }

    private async decodeColumn(client: RuntimeClient, column: DecodingColumn, prompt: LabPrompt, signal: AbortSignal): Promise<void> {
        const { id, settings } = column;
        const still = () => this.state.columns.find(c => c.id === id)?.settings === settings;
        this.setColumns(c => c.id === id ? { id, settings, phase: 'running' } : c);
        const own = new AbortController();
        this.running = { id, abort: own };
        const started = performance.now();
        const target: DecodeTarget = {
            prompt: prompt.prompt, sampling: prompt.sampling, maxTokens: this.state.maxTokens, exact: true, signal: AbortSignal.any([signal, own.signal]),
            ...(prompt.lora !== undefined ? { lora: prompt.lora } : {}),
        };
        try {
            const outcome = await decodeMethod(client, target, settings);
            let tree: DecodingColumn['tree'];
            if (outcome.beam !== undefined) {
                const ids = treeTokens(outcome.beam);
                const pieces = await client.tokenPieces(ids);
                tree = treeView(outcome.beam, new Map(ids.map((tokenId, i) => [tokenId, pieces[i] ?? ''])));
            }
            const ms = Math.round(performance.now() - started);
            this.options.log.info(`Decoding Lab ${this.state.title}: ${columnTitle(settings)} in ${ms} ms`);
            if (still()) this.setColumns(c => c.id === id ? { id, settings, phase: 'done', results: outcome.results.map(sequenceView), ...(tree ? { tree } : {}), ms } : c);
        } catch (error) {
            const failure = columnFailure(error, target.signal!.aborted);
            if (failure.kind !== 'cancelled') this.options.log.warn(`Decoding Lab ${this.state.title}: ${columnTitle(settings)} failed: ${error instanceof Error ? error.message : String(error)}`);
            // A column changed while it ran is pending again (its new settings decode next), not failed.
            if (still()) this.setColumns(c => c.id === id ? { id, settings, phase: 'failed', failure } : c);
        } finally {
            if (this.running?.abort === own) this.running = undefined;
        }
    }

    private pendingColumns(): DecodingColumn[] {
        return this.state.columns.map(({ id, settings }) => ({ id, settings, phase: 'pending' }));
    }

    private setColumns(change: (column: DecodingColumn) => DecodingColumn): void {
        this.update({ columns: this.state.columns.map(change) });
    }

    private columnOf(id: number): DecodingColumn {
        const column = this.state.columns.find(c => c.id === id);
        if (column === undefined) throw new DecodingSettingsError('column', id, 'a column of this lab (it was removed)');
        return column;
    }

    private fail(abort: AbortController, message: string): LabState {
        if (this.compute === abort) this.compute = undefined;
        this.update({ phase: 'failed', message, columns: this.state.columns.map(c => ({ ...c, phase: 'failed', failure: { kind: 'other', message } })) });
        return this.state;
    }

    /**
     * Writes column `id` as JSON (a beam column with its whole tree) to `target`, or where a save dialog points (beside
     * the prompt) when none is given; never through a symbolic link (writeExport). The path written, none when the
     * dialog was cancelled.
     */
    async export(id: number, target?: vscode.Uri): Promise<{ path?: string }> {
        const column = this.columnOf(id);
        if (column.phase !== 'done') throw new DecodingSettingsError('column', id, 'a decoded column (decode it first)');
        const text = exportColumn(column, { title: this.state.title, maxTokens: this.state.maxTokens, ...(this.state.model !== undefined ? { model: this.state.model } : {}) });
        const bytes = new TextEncoder().encode(text);
        if (target === undefined) return this.saveExport('json', exportName(this.state.title, column), { JSON: ['json'] }, bytes);
        await writeExport(target, bytes);
        this.options.log.info(`Exported ${columnTitle(column.settings)} of ${this.state.title} to ${target.fsPath}`);
        return { path: target.fsPath };
    }
}
