import type { PathGenerator } from './selfConsistency';
import type { StrategyModel, StrategyPaths, StrategyRequest } from './StrategyModel';

export interface ChatPathGeneratorOptions {
    signal?: AbortSignal;
    /** Hears each batch as the model returned it (token counts, the request seed). Defaults to none. */
    onPaths?(result: StrategyPaths): void;
}

/**
 * A model as a self-consistency {@link PathGenerator}: every request samples its paths through `chatMany`, so the
 * conversation is evaluated once and the paths decode in one batch. The request's temperature and seed override
 * the conversation's own sampling.
 */
export function chatPathGenerator(model: Pick<StrategyModel, 'chatMany'>, request: StrategyRequest, options: ChatPathGeneratorOptions = {}): PathGenerator {
    return {
        async generate({ n, temperature, seed }) {
            const sampling = { ...request.sampling, temperature, ...(seed === undefined ? {} : { seed }) };
            const result = await model.chatMany({ ...request, sampling, n }, { signal: options.signal });
            options.onPaths?.(result);
            return result.paths.map(path => ({ text: path.text, meanLogprob: path.meanLogprob, seed: path.seed }));
        },
    };
}
