import * as vscode from 'vscode';
import type { CompletionResult, SamplingOptions } from '../../shared/runtimeApi';
import { buildRequest } from '../../core/panels/playground/buildRequest';
import { adapterSetKey, describeAdapters } from '../../core/panels/playground/form';
import { chunkNotification, type PlaygroundForm, type RunState, type SpeculationView } from '../../shared/protocols/playground';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { errorText, type PlaygroundContext } from './PlaygroundContext';
import type { PlaygroundHistory } from './PlaygroundHistory';
import { speculationView } from './speculationView';

/** The last finished run, as the inspection panels need it. */
export interface LastRun {
    id: number;
    /** Model file it ran on: its token ids mean nothing to another model. */
    modelPath: string;
    /** Tokens of its rendered prompt: the attention map has room for 512 tokens in all. */
    promptTokens: number;
    request: InspectionRequest;
}

/** One probabilities and one attention panel serve the playground, each showing its latest inspected run. */
const inspectionKey = 'playground';

/**
 * Runs the form's prompt on the shared model with streamed output, one run at a time (a new one stops the last),
 * records it in the run history, and keeps what the inspection panels and Save as .prompt need of the last run.
 */
export class PlaygroundRunner {
    private current: RunState = { id: 0, phase: 'idle', output: '' };
    private abort: AbortController | undefined;
    /** Adapter set of the previous run (adapterSetKey), to say when a run needs another context. */
    private lastAdapterSet: string | undefined;
    private last: LastRun | undefined;
    /** The seed the last finished run used: Save as .prompt writes it when the form leaves the seed unlocked. */
    private seed: number | undefined;
    private readonly chunks: vscode.EventEmitter<{ runId: number; text: string }>;
    /** Fires with every streamed piece of a run's output, as the view receives it. */
    readonly onDidStreamChunk: vscode.Event<{ runId: number; text: string }>;

    constructor(private readonly context: PlaygroundContext, private readonly history: PlaygroundHistory) {
        this.chunks = context.own(new vscode.EventEmitter<{ runId: number; text: string }>());
        this.onDidStreamChunk = this.chunks.event;
        context.own({ dispose: () => this.abort?.abort() });
    }

    get run(): RunState {
        return this.current;
    }

    get lastRun(): LastRun | undefined {
        return this.last;
    }

    get lastRunSeed(): number | undefined {
        return this.seed;
    }

    /** Runs `form` (saving it first) and resolves when the run has ended. */
    async runForm(form: PlaygroundForm): Promise<RunState> {
        const { models, store, log } = this.context.options;
        await store.save(form);
        this.abort?.abort();
        const id = this.current.id + 1;
        const precheck = buildRequest(form, models.model?.path);
        if (!precheck.ok) return this.update({ id, phase: 'failed', output: '', fieldErrors: precheck.errors });
        const abort = new AbortController();
        this.abort = abort;
        this.update({ id, phase: 'running', output: '' });

        const model = await models.ensureModel();
        if (this.current.id !== id) return this.current;
        if (model === undefined) return this.finish(id, abort, { phase: 'failed', error: 'No model is loaded: use Load Model…' });
        if (abort.signal.aborted) return this.finish(id, abort, { phase: 'stopped' });
        // Again with the model now loaded: its adapter list applies.
        const built = buildRequest(form, model.path);
        if (!built.ok) return this.finish(id, abort, { phase: 'failed', fieldErrors: built.errors });
        const adapterSet = adapterSetKey(built.run.lora);
        const adapterNote = this.lastAdapterSet === undefined || this.lastAdapterSet === adapterSet
            ? `Adapters: ${describeAdapters(built.run.lora)}.`
            : `Adapters changed to ${describeAdapters(built.run.lora)}: the runtime switches to a context with this set (llama.cpp fixes adapters when a context is created, so a set's first run builds one; recent sets' contexts are kept).`;
        this.current = { ...this.current, adapterNote };

        const onToken = ({ text }: { text: string }) => {
            if (this.current.id !== id || text === '') return;
            this.current = { ...this.current, output: this.current.output + text };
            this.context.notify(chunkNotification, { runId: id, text });
            this.chunks.fire({ runId: id, text });
        };
        const run = built.run;
        const lora = run.lora !== undefined ? { lora: run.lora } : {};
        const speculative = run.speculative !== undefined ? { speculative: run.speculative } : {};
        let result: CompletionResult;
        try {
            result = run.mode === 'raw'
                ? await models.client.complete({ prompt: run.prompt, sampling: run.sampling, ...lora, ...speculative }, { signal: abort.signal, onToken })
                : await models.client.chat({ messages: run.messages, sampling: run.sampling, ...lora, ...speculative }, { signal: abort.signal, onToken });
            this.lastAdapterSet = adapterSet;
        } catch (error) {
            // Runtime errors (a GBNF grammar that does not parse, an unloaded model) belong in the view, not a popup.
            const message = errorText(error);
            log.warn(`Playground run failed: ${message}`);
            return this.finish(id, abort, { phase: 'failed', error: message });
        }
        models.recordRun(result.timing);
        this.seed = result.seed;
        let speculation: SpeculationView | undefined;
        if (result.speculative !== undefined) {
            try {
                speculation = await speculationView({ ...result, speculative: result.speculative }, tokens => models.client.tokenTexts(tokens));
            } catch (error) {
                // The run itself succeeded: its output and figures still show, only the colouring is missing.
                log.warn(`Playground: could not get the token texts for the speculation view: ${errorText(error)}`);
            }
        }
        this.last = {
            id, modelPath: model.path, promptTokens: result.timing.promptTokens,
            request: {
                key: inspectionKey, title: `playground run ${id}`,
                prompt: run.mode === 'raw' ? run.prompt : run.messages,
                // The seed the run drew, so a branch or a resample in the panel draws as the run did. Without the
                // watermark: the probabilities pass refuses one (it shows the model's own distributions, which the
                // watermark's bias would only shift), and the key has no business in another panel's state.
                sampling: { ...withoutWatermark(run.sampling), seed: result.seed },
                ...lora, generated: result.tokens,
                ...(speculation !== undefined ? { speculation: speculation.tokens.map(({ source, rejected }) => ({ source, ...(rejected !== undefined ? { rejected } : {}) })) } : {}),
            },
        };
        if (result.stopReason !== 'aborted') {
            try {
                await this.history.append(form, run, model, result);
            } catch (error) {
                log.warn(`Playground: could not write the run history: ${errorText(error)}`);
            }
        }
        return this.finish(id, abort, {
            ...(speculation !== undefined ? { speculation } : {}),
            phase: result.stopReason === 'aborted' ? 'stopped' : 'done',
            // The streamed chunks may miss a trailing partial character the final text completes.
            output: result.text,
            stats: {
                promptTokens: result.timing.promptTokens,
                generatedTokens: result.timing.generatedTokens,
                timeToFirstTokenMs: result.timing.timeToFirstTokenMs,
                tokensPerSecond: result.timing.tokensPerSecond,
                stopReason: result.stopReason,
                seed: result.seed,
            },
        });
    }

    stop(): void {
        this.abort?.abort();
    }

    /** Ends run `id`, unless a newer run has replaced it (its state is then the newer run's to set). */
    private finish(id: number, abort: AbortController, change: Partial<RunState>): RunState {
        if (this.abort === abort) this.abort = undefined;
        if (this.current.id !== id) return this.current;
        return this.update({ ...this.current, ...change });
    }

    private update(run: RunState): RunState {
        this.current = run;
        this.context.sendState();
        return run;
    }
}

function withoutWatermark(sampling: SamplingOptions): SamplingOptions {
    const { watermark: _watermark, ...rest } = sampling;
    return rest;
}
