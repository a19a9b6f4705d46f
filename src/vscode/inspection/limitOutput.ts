import type { InspectionRequest } from './InspectionRequest';

/**
 * The request with at most `limit` of its generated tokens (the first ones), its title saying how many of how many
 * when some are left out: a panel shows a bounded number of positions (the attention map 512 tokens in all, the
 * probabilities list 128 generated ones), and should not pass a cut run off as the whole. Pure.
 */
export function limitOutput(request: InspectionRequest, limit: number): InspectionRequest {
    const generated = request.generated;
    const keep = Math.max(0, Math.floor(limit));
    if (generated === undefined || generated.length <= keep) return request;
    return { ...request, generated: generated.slice(0, keep), title: `${request.title} (first ${keep} of ${generated.length} output tokens)` };
}
