import { formatScore } from '../retrieval/formatScore';
import { formatTrace, reasoningTrace } from './reasoningTrace';
import type { OutcomePath, OutcomeProgram, OutcomeVariant, StrategyOutcome } from './executeStrategy';

/**
 * How a strategy's outcome reads as text, for `promptscope run`'s report and the editor's output document alike
 * (the editor streams the generations and puts the answer and votes in its header; the words are these).
 */

/** The answer, with the tie it won, or `(no answer)`. */
export function answerText(outcome: StrategyOutcome): string {
    const tie = outcome.tie ? ` (tie between ${outcome.tied?.join(', ')}: first to appear wins)` : '';
    return `${outcome.answer ?? '(no answer)'}${tie}`;
}

/**
 * The votes of a self-consistency or ensemble run, most first: `18 ×3, 17 ×2; unmapped: 0; agreement 60% of 5 paths`
 * (sorted here since a record lists number-like answers in numeric order).
 */
export function votesText(outcome: StrategyOutcome): string {
    const votes = Object.entries(outcome.votes ?? {}).sort(([, a], [, b]) => b - a)
        .map(([answer, count]) => `${answer} ×${count}`).join(', ') || 'none';
    const of = outcome.strategy === 'ensemble' ? `${outcome.variants?.length ?? 0} variants`
        : outcome.strategy === 'program-aided' ? `${outcome.programs?.length ?? 0} programs`
            : outcome.strategy === 'self-ask' ? `${outcome.chains?.length ?? 0} chains`
                : outcome.strategy === 'tree-of-thought' ? `${outcome.searches?.length ?? 0} searches` : `${outcome.paths?.length ?? 0} paths`;
    return `${votes}; unmapped: ${outcome.unmapped ?? 0}; agreement ${Math.round((outcome.agreement ?? 0) * 100)}% of ${of}`;
}

/** Probability-weighted votes, for `weighting: probability`: `18 0.412, 17 0.120`. */
export function weightsText(outcome: StrategyOutcome): string {
    return Object.entries(outcome.weights ?? {}).map(([answer, w]) => `${answer} ${w.toFixed(3)}`).join(', ') || 'none';
}

/** The title above a self-consistency path's text. */
export function pathHeading(path: OutcomePath, index: number): string {
    const logprob = path.meanLogprob === undefined ? '' : `, mean logprob ${path.meanLogprob.toFixed(3)}`;
    return `── path ${index + 1} (seed ${path.seed}${logprob}) → ${path.answer ?? 'unmapped'}`;
}

/** The title above an ensemble variant's text, once its answer is known. */
export function variantHeading(variant: OutcomeVariant): string {
    return `── ${variant.file} → ${variant.answer ?? 'unmapped'}`;
}

/** The title above a program-aided run's program, with what became of it. */
export function programHeading(program: OutcomeProgram, index: number): string {
    const result = program.failure ? `${program.failure.kind}: ${program.failure.message}` : `printed ${JSON.stringify(program.printed.join('\n'))}`;
    return `── program ${index + 1} (${Math.round(program.ms)} ms) → ${result} → ${program.answer ?? 'unmapped'}`;
}

/** Titles of the two turns of a cot run. */
export const cotHeadings = { reasoning: '── reasoning', answer: '── answer' } as const;

/** The whole report of a run, as `promptscope run` prints it. */
export function formatOutcome(outcome: StrategyOutcome): string {
    const lines: string[] = [];
    switch (outcome.strategy) {
        case 'direct':
            lines.push(outcome.output ?? '', `answer: ${outcome.answer ?? '(none)'}`);
            break;
        case 'cot':
            lines.push(cotHeadings.reasoning, outcome.reasoning ?? '', cotHeadings.answer, outcome.output ?? '', `answer: ${outcome.answer ?? '(none)'}`);
            break;
        case 'self-consistency':
            outcome.paths?.forEach((p, i) => lines.push(pathHeading(p, i), p.text));
            lines.push(`answer: ${answerText(outcome)}`, `votes: ${votesText(outcome)}`);
            if (outcome.weighting === 'probability') lines.push(`weighted by path probability: ${weightsText(outcome)}`);
            break;
        case 'ensemble':
            outcome.variants?.forEach(v => lines.push(variantHeading(v), v.text));
            lines.push(`answer: ${answerText(outcome)}`, `votes: ${votesText(outcome)}`);
            break;
        case 'self-ask':
            if (outcome.chains !== undefined) {
                lines.push(formatTrace(reasoningTrace(outcome)).trimEnd(), `answer: ${answerText(outcome)}`, `votes: ${votesText(outcome)}`);
                break;
            }
            outcome.followUps?.forEach((f, i) => lines.push(
                `── follow-up ${i + 1}: ${f.question}${f.passage ? ` (retrieved: ${f.passage.file}:${f.passage.startLine}-${f.passage.endLine}, cosine ${formatScore(f.passage.score)})` : ''}`,
                f.answer));
            lines.push('── final', outcome.output ?? '', `answer: ${answerText(outcome)}`);
            break;
        case 'tree-of-thought':
            // A depth-first search's steps mix the children of states visited in turn: only the tree shows who came from whom.
            if (outcome.searches !== undefined || outcome.tree?.search === 'depth') {
                lines.push(formatTrace(reasoningTrace(outcome)).trimEnd(), `answer: ${answerText(outcome)}`);
                if (outcome.votes !== undefined) lines.push(`votes: ${votesText(outcome)}`);
                if (outcome.weighting === 'probability') lines.push(`weighted by best value: ${weightsText(outcome)}`);
                break;
            }
            outcome.tree?.steps.forEach((step, depth) => {
                lines.push(`── step ${depth + 1}`);
                for (const node of step) lines.push(`${node.kept ? '  kept  ' : '  pruned'} ${node.value.toFixed(3)}  (from ${node.parent + 1}) ${node.thought}`);
            });
            lines.push('── best', outcome.reasoning ?? '', `answer: ${answerText(outcome)}`);
            break;
        case 'program-aided':
            outcome.programs?.forEach((p, i) => lines.push(programHeading(p, i), p.code));
            lines.push(`answer: ${answerText(outcome)}`);
            if (outcome.votes !== undefined) lines.push(`votes: ${votesText(outcome)}`);
            break;
    }
    lines.push(`${outcome.tokens.prompt} prompt + ${outcome.tokens.generated} generated tokens, ${Math.round(outcome.ms)} ms`);
    return lines.join('\n') + '\n';
}
