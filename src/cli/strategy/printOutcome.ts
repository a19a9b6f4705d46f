import type { StrategyOutcome } from '../../core/reasoning/executeStrategy';

/** The human-readable report of a cot, self-consistency or ensemble run. */
export function formatOutcome(outcome: StrategyOutcome): string {
    const lines: string[] = [];
    const ms = Math.round(outcome.ms);
    switch (outcome.strategy) {
        case 'direct':
            lines.push(outcome.output ?? '', `answer: ${outcome.answer ?? '(none)'}`);
            break;
        case 'cot':
            lines.push('── reasoning', outcome.reasoning ?? '', '── answer', outcome.output ?? '', `answer: ${outcome.answer ?? '(none)'}`);
            break;
        case 'self-consistency':
            outcome.paths?.forEach((p, i) => {
                const logprob = p.meanLogprob === undefined ? '' : `, mean logprob ${p.meanLogprob.toFixed(3)}`;
                lines.push(`── path ${i + 1} (seed ${p.seed}${logprob}) → ${p.answer ?? 'unmapped'}`, p.text);
            });
            lines.push(voteLine(outcome, `${outcome.paths?.length ?? 0} paths`));
            if (outcome.weighting === 'probability') {
                lines.push(`weighted by path probability: ${Object.entries(outcome.weights ?? {}).map(([answer, w]) => `${answer} ${w.toFixed(3)}`).join(', ') || 'none'}`);
            }
            break;
        case 'ensemble':
            outcome.variants?.forEach(v => lines.push(`── ${v.file} → ${v.answer ?? 'unmapped'}`, v.text));
            lines.push(voteLine(outcome, `${outcome.variants?.length ?? 0} variants`));
            break;
    }
    lines.push(`${outcome.tokens.prompt} prompt + ${outcome.tokens.generated} generated tokens, ${ms} ms`);
    return lines.join('\n') + '\n';
}

function voteLine(outcome: StrategyOutcome, of: string): string {
    const votes = Object.entries(outcome.votes ?? {}).map(([answer, count]) => `${answer} ×${count}`).join(', ') || 'none';
    const tie = outcome.tie ? ` (tie between ${outcome.tied?.join(', ')}: first to appear wins)` : '';
    return `answer: ${outcome.answer ?? '(no answer)'}${tie}\nvotes: ${votes}; unmapped: ${outcome.unmapped ?? 0}; `
        + `agreement ${Math.round((outcome.agreement ?? 0) * 100)}% of ${of}`;
}

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
    if (outcome.variants) json.variants = outcome.variants.map(v => ({ file: v.file, text: v.text, answer: v.answer ?? null, rawAnswer: v.rawAnswer ?? null }));
    json.seed = outcome.seed ?? null;
    json.timing = { promptTokens: outcome.tokens.prompt, generatedTokens: outcome.tokens.generated, ms: Math.round(outcome.ms * 10) / 10 };
    json.ms = Math.round(outcome.ms);
    return json;
}
