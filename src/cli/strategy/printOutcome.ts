import type { StrategyOutcome } from '../../core/reasoning/executeStrategy';
import { reasoningTrace } from '../../core/reasoning/reasoningTrace';

/** The `--json` fields a strategy adds to the run output. */
export function outcomeJson(outcome: StrategyOutcome): Record<string, unknown> {
    const json: Record<string, unknown> = { strategy: outcome.strategy, answer: outcome.answer ?? null };
    if (outcome.rawAnswer !== undefined || outcome.strategy === 'cot' || outcome.strategy === 'direct') json.rawAnswer = outcome.rawAnswer ?? null;
    if (outcome.reasoning !== undefined) json.reasoning = outcome.reasoning;
    if (outcome.output !== undefined) json.output = outcome.output;
    if (outcome.votes !== undefined) {
        Object.assign(json, { votes: outcome.votes, agreement: outcome.agreement, tie: outcome.tie, tied: outcome.tied, unmapped: outcome.unmapped });
    }
    if (outcome.weighting === 'probability') Object.assign(json, { weighting: outcome.weighting, weights: outcome.weights });
    if (outcome.paths) {
        json.paths = outcome.paths.map(p => ({ text: p.text, answer: p.answer ?? null, rawAnswer: p.rawAnswer ?? null, meanLogprob: p.meanLogprob ?? null, seed: p.seed }));
    }
    if (outcome.tree) json.tree = outcome.tree;
    if (outcome.followUps) json.followUps = outcome.followUps;
    if (outcome.chains) json.chains = outcome.chains.map(c => ({ ...c, answer: c.answer ?? null, rawAnswer: c.rawAnswer ?? null, seed: c.seed ?? null }));
    if (outcome.searches) json.searches = outcome.searches.map(s => ({ ...s, answer: s.answer ?? null, rawAnswer: s.rawAnswer ?? null, seed: s.seed ?? null }));
    if (outcome.programs) json.programs = outcome.programs.map(p => ({ ...p, answer: p.answer ?? null, rawAnswer: p.rawAnswer ?? null }));
    if (outcome.variants) json.variants = outcome.variants.map(v => ({ file: v.file, text: v.text, answer: v.answer ?? null, rawAnswer: v.rawAnswer ?? null }));
    json.trace = reasoningTrace(outcome);
    json.seed = outcome.seed ?? null;
    json.timing = { promptTokens: outcome.tokens.prompt, generatedTokens: outcome.tokens.generated, ms: Math.round(outcome.ms * 10) / 10 };
    json.ms = Math.round(outcome.ms);
    return json;
}
