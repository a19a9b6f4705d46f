import type { LogLevel } from '../../shared/runtimeApi';
import { serializeError } from '../../shared/errors/serializeError';
import { NonFiniteResultError } from '../../shared/errors/NonFiniteResultError';
import { findNonFinite } from '../../core/results/findNonFinite';
import type { LlamaEngine } from './engine/LlamaEngine';
import type { ClientMessage, HostMessage, RequestMessage, RuntimeMethod, RuntimeMethods } from '../rpc/protocol';
import { TokenStreamBatcher } from './TokenStreamBatcher';
import { withDownloadTimeout } from './downloadTimeout';

interface RequestScope {
    id: number;
    signal: AbortSignal;
    /** Queues a generated token for the client, or undefined when the client does not listen to them. */
    onToken?: (token: number | undefined, text: string) => void;
    send(message: HostMessage): void;
}

type Handler<M extends RuntimeMethod> = (params: RuntimeMethods[M]['params'], scope: RequestScope) =>
    Promise<RuntimeMethods[M]['result']> | RuntimeMethods[M]['result'];

/** One handler per protocol method; each is a thin translation onto the engine. */
function handlers(engine: LlamaEngine): { [M in RuntimeMethod]: Handler<M> } {
    return {
        loadModel: ({ downloadTimeoutSeconds, ...options }, { id, signal, send }) => withDownloadTimeout(downloadTimeoutSeconds, () => engine.loadModel(options, {
            signal,
            onProgress: progress => send({ type: 'progress', id, progress }),
        })),
        unloadModel: () => engine.unloadModel(),
        modelInfo: () => engine.modelInfo,
        modelMetadata: () => engine.modelMetadata(),
        tokenize: ({ text, addBos, specialTokens }) => engine.tokenize(text, { addBos, specialTokens }),
        tokenizeChat: ({ messages }) => engine.tokenizeChat(messages),
        renderChat: ({ messages }) => engine.renderChat(messages),
        tokenPieces: ({ tokens }) => engine.tokenPieces(tokens),
        tokenTexts: ({ tokens }) => engine.tokenTexts(tokens),
        detokenize: ({ tokens, specialTokens }) => engine.detokenize(tokens, { specialTokens }),
        complete: (request, { signal, onToken }) => engine.complete(request, { signal, onToken }),
        chat: (request, { signal, onToken }) => engine.chat(request, { signal, onToken }),
        completeInline: (request, { signal, onToken }) => engine.completeInline(request, { signal, onToken }),
        // No token stream: paths decode interleaved, and the caller votes over whole paths.
        completeMany: (request, { signal }) => engine.completeMany(request, { signal }),
        chatMany: (request, { signal }) => engine.chatMany(request, { signal }),
        tokenProbabilities: (request, { signal }) => engine.tokenProbabilities(request, { signal }),
        scoreContinuations: (request, { signal }) => engine.scoreContinuations(request, { signal }),
        attention: (request, { signal }) => engine.attention(request, { signal }),
        beamSearch: (request, { signal }) => engine.beamSearch(request, { signal }),
        compareModels: request => engine.compareModels(request),
        embed: (request, { signal }) => engine.embed(request, { signal }),
        validateLora: ({ path }) => engine.validateLora(path),
        trainModel: (request, { id, signal, send }) => engine.trainModel(request, { signal, onProgress: progress => send({ type: 'progress', id, progress }) }),
        quantizeModel: (request, { id, signal, send }) => engine.quantizeModel(request, { signal, onProgress: progress => send({ type: 'progress', id, progress }) }),
    };
}

/**
 * The requests whose results the model computed (texts with timings, probabilities, scores, attention weights): a
 * NaN or Infinity in one is an overflow, refused in this one place before any caller can show or record it.
 */
const computedResults: ReadonlySet<RuntimeMethod> = new Set<RuntimeMethod>([
    'complete', 'chat', 'completeInline', 'completeMany', 'chatMany', 'tokenProbabilities', 'scoreContinuations', 'attention', 'beamSearch',
    'compareModels', 'embed',
]);

/**
 * The host side of the RPC: dispatches requests to the engine, concurrently, and answers each exactly once.
 * Cancellation arrives as a message and aborts the request's signal.
 */
export class RuntimeHost {
    private readonly batcher: TokenStreamBatcher;
    private readonly running = new Map<number, AbortController>();
    private readonly table: { [M in RuntimeMethod]: Handler<M> };

    constructor(private readonly engine: LlamaEngine, send: (message: HostMessage, done: () => void) => void) {
        this.batcher = new TokenStreamBatcher(send);
        this.table = handlers(engine);
    }

    /** Our own log lines and llama.cpp's, forwarded to the client's log sink. */
    log(level: LogLevel, message: string, source: 'runtime' | 'llama.cpp'): void {
        this.batcher.sendNow({ type: 'log', level, source, message });
    }

    receive(message: ClientMessage): void {
        if (message.type === 'ping') {
            // Answered here, on the main thread, and not from a worker: a host whose event loop is blocked must stay silent.
            this.batcher.sendNow({ type: 'pong', seq: message.seq });
            return;
        }
        if (message.type === 'cancel') {
            this.running.get(message.id)?.abort();
            return;
        }
        if (message.type === 'request') void this.handle(message);
    }

    private async handle(request: RequestMessage): Promise<void> {
        const controller = new AbortController();
        this.running.set(request.id, controller);
        const scope: RequestScope = {
            id: request.id,
            signal: controller.signal,
            ...(request.stream ? { onToken: (token: number | undefined, text: string) => this.batcher.push(request.id, token, text) } : {}),
            send: message => this.batcher.sendNow(message),
        };
        try {
            const handler = this.table[request.method] as Handler<RuntimeMethod> | undefined;
            if (!handler) throw new Error(`Unknown runtime request "${String(request.method)}" (client and host bundles out of step?)`);
            const result = await handler(request.params as never, scope);
            if (computedResults.has(request.method)) {
                const bad = findNonFinite(result);
                if (bad !== undefined) throw new NonFiniteResultError(request.method, bad.field, bad.value);
            }
            this.batcher.sendNow({ type: 'response', id: request.id, result });
        } catch (error) {
            this.batcher.sendNow({ type: 'error', id: request.id, error: serializeError(error) });
        } finally {
            this.running.delete(request.id);
        }
    }

    async dispose(): Promise<void> {
        for (const controller of this.running.values()) controller.abort();
        await this.engine.dispose();
    }
}
