import type { CompareRequest, CompareState } from '../../shared/protocols/playground';
import { errorText, type PlaygroundContext } from './PlaygroundContext';
import { runCompare } from './runCompare';

/** The A/B compare of the view: one at a time (a new one stops the last); its last result survives a window reload. */
export class PlaygroundCompare {
    private current: CompareState | undefined;
    private abort: AbortController | undefined;

    constructor(private readonly context: PlaygroundContext) {
        // The last result of an earlier window: the page shows it until the next compare replaces it.
        this.current = context.options.store.loadCompare();
        context.own({ dispose: () => this.stop() });
    }

    get state(): CompareState | undefined {
        return this.current;
    }

    /**
     * A/B comparison of `request.form` under two configurations with the same seed: both outputs, their word diff
     * and the per-token KL of the two sides' raw distributions (see runCompare). Resolves with the final state.
     */
    async compare(request: CompareRequest): Promise<CompareState> {
        const { models, log } = this.context.options;
        this.abort?.abort();
        const abort = new AbortController();
        this.abort = abort;
        const id = (this.current?.id ?? 0) + 1;
        this.set({ id, phase: 'running' });
        const onServer = request.a.backend === 'server' || request.b.backend === 'server';
        // A compare with both sides on the server needs no local model.
        const bothOnServer = request.a.backend === 'server' && request.b.backend === 'server';
        const model = bothOnServer ? undefined : await models.ensureModel();
        if (!bothOnServer && model === undefined) return this.set({ id, phase: 'failed', error: 'No model is loaded: use Load Model…' });
        try {
            let result: Omit<CompareState, 'id'> | undefined;
            if (!onServer) {
                result = await runCompare(models.client, model!.path, request, abort.signal);
            } else {
                const backends = this.context.options.backends;
                const choice = backends?.choose();
                if (backends === undefined || choice?.kind !== 'server') {
                    const why = choice?.kind === 'refused' ? choice.message : 'set promptscope.backend to openai-compatible and promptscope.server.urls to the server';
                    return this.set({ id, phase: 'failed', error: `A side runs on the server: ${why}` });
                }
                let failure: string | undefined;
                result = await backends.withBackend({}, (backend, place) => runCompare(models.client, model?.path ?? '', request, abort.signal, {
                    backend, name: `${place.description.model} at ${place.description.urls?.join(', ') ?? ''}`,
                }), { onFailure: message => { failure = message; } });
                result ??= { phase: 'failed', error: failure ?? 'the server compare failed (see the Promptscope log)' };
            }
            return this.current?.id === id ? this.set({ id, ...result }) : this.current!;
        } catch (error) {
            log.warn(`Playground compare failed: ${errorText(error)}`);
            return this.current?.id === id ? this.set({ id, phase: 'failed', error: errorText(error) }) : this.current!;
        } finally {
            if (this.abort === abort) this.abort = undefined;
        }
    }

    stop(): void {
        this.abort?.abort();
    }

    private set(state: CompareState): CompareState {
        this.current = state;
        void this.context.options.store.saveCompare(state);
        this.context.sendState();
        return state;
    }
}
