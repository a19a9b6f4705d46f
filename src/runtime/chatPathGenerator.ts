import type { PathGenerator } from '../core/reasoning/selfConsistency';
import type { ChatRequest } from '../shared/runtimeApi';
import type { RuntimeClient } from './client/RuntimeClient';

/**
 * The runtime as a self-consistency {@link PathGenerator}: every request samples its paths through `chatMany`,
 * so the conversation is evaluated once and the paths decode in one batch. The request's temperature and seed
 * override the conversation's own sampling.
 */
export function chatPathGenerator(client: RuntimeClient, request: ChatRequest, signal?: AbortSignal): PathGenerator {
    return {
        async generate({ n, temperature, seed }) {
            const sampling = { ...request.sampling, temperature, ...(seed === undefined ? {} : { seed }) };
            const result = await client.chatMany({ ...request, sampling, n }, { signal });
            return result.paths.map(path => ({ text: path.text, meanLogprob: path.meanLogprob, seed: path.seed }));
        },
    };
}
