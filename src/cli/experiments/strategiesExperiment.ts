import { arithmeticProblems } from '../../core/training/arithmeticProblems';
import type { EvaluatedRow } from '../../core/reasoning/evaluateDataset';
import { treeOfThoughtDefaults } from '../../core/reasoning/treeOfThought';
import { selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import { comparePaired, type PairedComparison } from '../../core/statistics/pairedComparison';
import type { ExperimentContext, ExperimentReport } from './ExperimentContext';
import {
    conditionCost, evaluateCondition, greedySampling, summarizeCondition, withoutRows, type ConditionCost, type ConditionResult, type ExperimentCondition,
} from './evaluateCondition';
import { beats, describePaired, formatAccuracy, formatInterval, formatMean, yesNo } from './experimentFormat';

const greedy = greedySampling;

/**
 * Each strategy on the prompt the model was trained to answer it on: the worked solution on examples/arithmetic.prompt;
 * programs (`print(a+b);`) and self-ask's follow-ups after their own instructions on examples/arithmetic-direct.prompt.
 * Tree-of-thought was not trained: its steps are asked of the worked-solution prompt, whose one-line working is a step.
 */
const conditions: ExperimentCondition[] = [
    { id: 'greedyCot', label: 'greedy CoT (worked solution)', prompt: 'examples/arithmetic.prompt', strategy: 'direct', flags: greedy },
    { id: 'programAided', label: 'program-aided (JavaScript in the sandbox)', prompt: 'examples/arithmetic-direct.prompt', strategy: 'program-aided', flags: greedy },
    { id: 'selfAsk', label: 'self-ask (follow-ups answered by the model)', prompt: 'examples/arithmetic-direct.prompt', strategy: 'self-ask', flags: greedy },
    // Thoughts are sampled (identical greedy thoughts would make a tree of one branch); the answer turn is greedy.
    { id: 'treeOfThought', label: 'tree-of-thought (breadth-first, value evaluator)', prompt: 'examples/arithmetic.prompt', strategy: 'tree-of-thought', flags: greedy },
];

interface StrategyResult extends ConditionResult {
    cost: ConditionCost;
}

/**
 * Greedy chain of thought against program-aided reasoning (Gao et al. 2022), self-ask (Press et al. 2022) and tree of
 * thoughts (Yao et al. 2023) on the trained arithmetic fixture's held-out problems, each through the strategy the
 * editor and `promptscope eval` run: accuracy with its Wilson 95% interval, what each costs per problem (generated
 * tokens and wall time, means with 95% intervals), unmapped answers, and McNemar's test against greedy CoT.
 */
export async function strategiesExperiment(ctx: ExperimentContext): Promise<ExperimentReport> {
    const problems = arithmeticProblems(ctx.seed, ctx.problems, true);
    const rows = problems.map(p => ({ question: p.question, expected: String(p.answer) }));
    const results: StrategyResult[] = [];
    let programFailures: Record<string, number> = {};
    for (const condition of conditions) {
        const evaluated = await evaluateCondition(ctx, condition, rows);
        results.push({ ...summarizeCondition(condition, evaluated), cost: conditionCost(evaluated) });
        if (condition.strategy === 'program-aided') programFailures = failedPrograms(evaluated);
    }
    const baseline = results[0]!;
    const comparisons = Object.fromEntries(results.slice(1).map(r => [`${r.id}VsGreedyCot`, comparePaired(baseline.correct, r.correct)]));
    return {
        id: 'strategies',
        markdown: markdown(ctx, results, comparisons, programFailures),
        figures: {
            model: ctx.modelPath, problems: ctx.problems, seed: ctx.seed,
            conditions: results.map(withoutRows), programFailures, comparisons,
        },
    };
}

/** How many program-aided problems' programs failed, by kind (timeout, resources, exception, output). */
export function failedPrograms(rows: readonly Pick<EvaluatedRow, 'outcome'>[]): Record<string, number> {
    const failures: Record<string, number> = {};
    for (const row of rows) {
        for (const program of row.outcome.programs ?? []) {
            if (program.failure) failures[program.failure.kind] = (failures[program.failure.kind] ?? 0) + 1;
        }
    }
    return failures;
}

function markdown(ctx: ExperimentContext, results: StrategyResult[], comparisons: Record<string, PairedComparison>, programFailures: Record<string, number>): string {
    const lines: string[] = [];
    const baseline = results[0]!;
    lines.push('## Arithmetic: reasoning strategies beyond one chain (trained fixture)', '');
    lines.push(`\`npm run experiments -- --only strategies\`: the trained arithmetic fixture (\`${ctx.modelPath}\`), ${ctx.problems} held-out`
        + ` problems (seed ${ctx.seed}), each strategy through the one dataset evaluation on the prompt the model was trained to answer it on`
        + ' (tree-of-thought, never trained, on the worked-solution prompt, whose one-line working is a step). Greedy'
        + ` decoding, except tree-of-thought's thoughts: ${treeOfThoughtDefaults.thoughts} sampled per state at T = ${selfConsistencyDefaults.temperature}`
        + ` (seeded), beam ${treeOfThoughtDefaults.beamWidth}, depth ≤ ${treeOfThoughtDefaults.maxDepth}, valued by the model's own`
        + ' sure/likely/impossible probabilities. Tokens are those generated (prompt and scored tokens left out); time is wall time per'
        + ' problem on the machine and threads that ran it. 95% Wilson intervals for rates, mean ± 1.96 SE for tokens and time;'
        + ' McNemar\'s exact test against greedy CoT on the same problems.', '');
    lines.push('| strategy | prompt | accuracy [95% CI] | generated tokens / problem [95% CI] | ms / problem [95% CI] | unmapped |', '|---|---|---|---|---|---|');
    for (const r of results) {
        lines.push(`| ${r.label} | \`${r.prompt}\` | ${formatAccuracy(r.accuracy)} | ${formatMean(r.cost.generatedTokens, 1)} | ${formatMean(r.cost.ms, 0)} | ${r.unmapped} |`);
    }
    const failures = Object.entries(programFailures);
    lines.push('', `Programs that failed in the sandbox (their problems unmapped): ${failures.length === 0 ? 'none' : failures.map(([kind, n]) => `${n} ${kind}`).join(', ')}.`);
    lines.push('', '**Paired comparisons with greedy CoT**', '');
    for (const r of results.slice(1)) lines.push(describePaired(`${shortLabel(r)} vs greedy CoT`, comparisons[`${r.id}VsGreedyCot`]!, 'greedy CoT', shortLabel(r)));
    lines.push('', '**Shapes**', '');
    for (const r of results.slice(1)) {
        const c = comparisons[`${r.id}VsGreedyCot`]!;
        const timeRatio = r.cost.ms.estimate / baseline.cost.ms.estimate;
        lines.push(`- ${shortLabel(r)} beats greedy CoT: ${yesNo(beats(c))} (${formatInterval(c.other)} vs ${formatInterval(c.base)},`
            + ` p = ${c.mcnemarP.toPrecision(2)}), at ${timeRatio.toFixed(1)}× its time per problem.`);
    }
    return lines.join('\n');
}

/** A strategy's label without its explanation in brackets: `self-ask`. */
function shortLabel(result: Pick<ConditionResult, 'label'>): string {
    return result.label.replace(/ \(.*$/, '');
}
