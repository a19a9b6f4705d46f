import { arithmeticProblems } from '../../core/training/arithmeticProblems';
import type { EvaluatedRow } from '../../core/reasoning/evaluateDataset';
import { majorityVote, type VoteWeighting } from '../../core/reasoning/majorityVote';
import { wilsonInterval, type Interval } from '../../core/statistics/intervals';
import { comparePaired, type PairedComparison } from '../../core/statistics/pairedComparison';
import type { ExperimentContext, ExperimentReport } from './ExperimentContext';
import { accuracyOf, evaluateCondition, greedySampling, summarizeCondition, withoutRows, type Accuracy, type ConditionResult, type ExperimentCondition } from './evaluateCondition';
import { describePaired, formatInterval, percent } from './experimentFormat';
import { selfConsistencyPlotSvg } from './selfConsistencyPlot';

const greedy = greedySampling;

/** The prompting conditions of Wei et al. (2022) and Kojima et al. (2022), each greedy, on the same held-out problems. */
const conditions: ExperimentCondition[] = [
    { id: 'direct', label: 'direct answer', prompt: 'examples/arithmetic-direct.prompt', strategy: 'direct', flags: greedy },
    { id: 'zeroShotCot', label: 'zero-shot CoT ("Let\'s think step by step.")', prompt: 'examples/arithmetic-direct.prompt', strategy: 'cot', flags: greedy },
    { id: 'fewShotCot', label: 'few-shot CoT (two worked exemplars, a partial)', prompt: 'examples/arithmetic-fewshot.prompt', strategy: 'cot', flags: greedy },
    { id: 'worked', label: 'worked solution asked by the prompt (greedy CoT)', prompt: 'examples/arithmetic.prompt', strategy: 'direct', flags: greedy },
];

/** Self-consistency (Wang et al. 2022) over the worked-solution prompt: 16 paths a problem, the first N voting. */
const pathCounts = [1, 2, 4, 8, 16] as const;
const selfConsistency: ExperimentCondition = {
    id: 'selfConsistency', label: 'self-consistency', prompt: 'examples/arithmetic.prompt', strategy: 'self-consistency', flags: {},
    samples: 16, temperature: 0.7,
};

/** The self-consistency plot, relative to the report's folder (EXPERIMENTS.md's links are relative to it). */
export const selfConsistencyPlotPath = 'docs/experiments/self-consistency.png';

type CurvePoint = { paths: number; majority: VoteAccuracy; weighted: VoteAccuracy };

/**
 * Chain of thought and self-consistency on the trained arithmetic fixture: direct vs zero-shot vs few-shot CoT vs the
 * worked solution, and self-consistency's accuracy for N = 1…16 paths (majority and probability-weighted), each with
 * its Wilson 95% interval and paired McNemar tests, on held-out problems the model never saw; the curve also as a
 * PNG plot beside the report.
 */
export async function arithmeticExperiment(ctx: ExperimentContext): Promise<ExperimentReport> {
    const problems = arithmeticProblems(ctx.seed, ctx.problems, true);
    const rows = problems.map(p => ({ question: p.question, expected: String(p.answer) }));
    const results: ConditionResult[] = [];
    let workedRows: EvaluatedRow[] = [];
    for (const condition of conditions) {
        const evaluated = await evaluateCondition(ctx, condition, rows);
        if (condition.id === 'worked') workedRows = evaluated;
        results.push(summarizeCondition(condition, evaluated));
    }
    const scRows = await evaluateCondition(ctx, selfConsistency, rows);
    const curve: CurvePoint[] = pathCounts.map(n => ({
        paths: n,
        majority: voteAccuracy(scRows, n, 'count'),
        weighted: voteAccuracy(scRows, n, 'probability'),
    }));
    const byKind = questionKinds.map(kind => kindFigures(kind, problems.map(p => p.plain === (kind === 'plain')), workedRows, scRows, curve[3]!.majority.correct));
    const byId = new Map(results.map(r => [r.id, r]));
    const paired = (a: string, b: boolean[] | string): PairedComparison =>
        comparePaired(byId.get(a)!.correct, typeof b === 'string' ? byId.get(b)!.correct : b);
    const comparisons = {
        zeroShotCotVsDirect: paired('direct', 'zeroShotCot'),
        fewShotCotVsDirect: paired('direct', 'fewShotCot'),
        workedVsDirect: paired('direct', 'worked'),
        selfConsistency8VsGreedy: paired('worked', curve[3]!.majority.correct),
        selfConsistency16VsGreedy: paired('worked', curve[4]!.majority.correct),
    };
    const svg = selfConsistencyPlotSvg({
        title: `Self-consistency on ${ctx.problems} held-out arithmetic problems`,
        greedy: byId.get('worked')!.accuracy,
        curve: curve.map(c => ({ paths: c.paths, majority: c.majority, weighted: c.weighted })),
    });
    return {
        id: 'arithmetic',
        markdown: markdown(ctx, results, curve, comparisons, byKind),
        figures: {
            model: ctx.modelPath, problems: ctx.problems, seed: ctx.seed,
            conditions: results.map(withoutRows),
            selfConsistency: curve.map(c => ({ paths: c.paths, majority: strip(c.majority), weighted: strip(c.weighted) })),
            comparisons,
            byQuestionKind: byKind,
            plot: selfConsistencyPlotPath,
        },
        plots: [{ path: selfConsistencyPlotPath, svg }],
    };
}

type VoteAccuracy = Interval & { correct: boolean[]; n: number };

const questionKinds = ['plain', 'word'] as const;

/**
 * A reply that works the columns restates the problem first (`47+86: 7+6=13. …`, or `So 47+86: …`, the corpus's other
 * opening); a rushed one states the answer at once.
 */
const isWorkedReply = (text: string | undefined) => /^\s*(So )?\d+[+-]\d+:/.test(text ?? '');

interface KindFigures {
    kind: typeof questionKinds[number];
    problems: number;
    /** Greedy replies to the worked-solution prompt that work the columns. */
    greedyWorked: Accuracy;
    greedy: Accuracy;
    /** Of the sampled paths (16 a problem), those that work the columns. */
    pathsWorked: Accuracy;
    onePath: Accuracy;
    selfConsistency8: Accuracy;
}

/**
 * Greedy and sampled replies on one kind of question (bare "What is A + B?" or word problems): how often each works the
 * columns, and how often it is right. This is where the corpus' rushed bare questions show: greedy decoding takes their
 * likelier, rushed branch every time, sampled paths take both.
 */
function kindFigures(kind: KindFigures['kind'], ofKind: boolean[], greedyRows: EvaluatedRow[], scRows: EvaluatedRow[], sc8: boolean[]): KindFigures {
    const pick = <T>(items: readonly T[]) => items.filter((_, i) => ofKind[i]);
    const paths = pick(scRows).flatMap(row => row.outcome.paths ?? []);
    return {
        kind, problems: pick(greedyRows).length,
        greedyWorked: accuracyOf(pick(greedyRows).map(row => isWorkedReply(row.outcome.output))),
        greedy: accuracyOf(pick(greedyRows).map(row => row.correct)),
        pathsWorked: accuracyOf(paths.map(path => isWorkedReply(path.text))),
        onePath: accuracyOf(pick(scRows).map(row => row.outcome.paths?.[0]?.answer === row.expected)),
        selfConsistency8: accuracyOf(pick(sc8)),
    };
}

/** Accuracy of the vote of each row's first `n` paths (the paths are independent draws, so any n of them are a sample). */
function voteAccuracy(rows: EvaluatedRow[], n: number, weighting: VoteWeighting): VoteAccuracy {
    const correct = rows.map(row => {
        const paths = (row.outcome.paths ?? []).slice(0, n);
        const winner = majorityVote(paths.map(p => ({ answer: p.answer, meanLogprob: p.meanLogprob })), { weighting }).winner;
        return winner !== undefined && winner === row.expected;
    });
    return { ...wilsonInterval(correct.filter(Boolean).length, rows.length), correct, n: rows.length };
}

function strip<T extends { correct: boolean[] }>(value: T): Omit<T, 'correct'> & { right: number } {
    const { correct, ...rest } = value;
    return { ...rest, right: correct.filter(Boolean).length };
}

function markdown(ctx: ExperimentContext, results: ConditionResult[], curve: CurvePoint[], comparisons: Record<string, PairedComparison>, byKind: KindFigures[]): string {
    const lines: string[] = [];
    lines.push('## Arithmetic: chain of thought and self-consistency (trained fixture)', '');
    lines.push(`\`npm run experiments -- --only arithmetic\`: the trained arithmetic fixture (\`${ctx.modelPath}\`), ${ctx.problems} held-out`
        + ` problems (seed ${ctx.seed}; held out by a hash of the operands, so none was ever in a training corpus), two-digit`
        + ' addition and subtraction, word problems and plain questions. Greedy decoding unless stated; 95% Wilson intervals;'
        + ' paired differences by McNemar\'s exact test on the same problems.', '');
    lines.push('| condition | prompt | strategy | accuracy [95% CI] | unmapped |', '|---|---|---|---|---|');
    for (const r of results) lines.push(`| ${r.label} | \`${r.prompt}\` | ${r.strategy} | ${formatInterval(r.accuracy)} (${r.accuracy.correct}/${r.accuracy.n}) | ${r.unmapped} |`);
    lines.push('', `Self-consistency on \`${selfConsistency.prompt}\`: 16 paths a problem at T = ${selfConsistency.temperature}, the first N voting`
        + ' (any N of independent draws are a sample of N); ties go to the answer that came first.', '');
    lines.push('| paths N | majority vote [95% CI] | probability-weighted vote [95% CI] |', '|---|---|---|');
    for (const c of curve) lines.push(`| ${c.paths} | ${formatInterval(c.majority)} | ${formatInterval(c.weighted)} |`);
    lines.push('', `![Self-consistency accuracy against the number of paths N, majority and probability-weighted vote with 95% intervals, and greedy CoT's accuracy as a line](${selfConsistencyPlotPath})`);
    lines.push('', 'By kind of question: how often a reply to the worked-solution prompt works the columns (the rest state an answer at'
        + ' once), and how often it is right, greedy and sampled.', '');
    lines.push('| questions | problems | greedy replies that work the columns | greedy CoT accuracy | sampled paths that work the columns | one sampled path | self-consistency N = 8 |',
        '|---|---|---|---|---|---|---|');
    for (const k of byKind) {
        lines.push(`| ${k.kind === 'plain' ? 'bare ("What is A + B?")' : 'word problems'} | ${k.problems} | ${formatInterval(k.greedyWorked)} | ${formatInterval(k.greedy)}`
            + ` | ${formatInterval(k.pathsWorked)} | ${formatInterval(k.onePath)} | ${formatInterval(k.selfConsistency8)} |`);
    }
    lines.push('', '**Paired comparisons**', '');
    lines.push(describePaired('Zero-shot CoT vs direct', comparisons.zeroShotCotVsDirect!, 'direct', 'zero-shot CoT'));
    lines.push(describePaired('Few-shot CoT vs direct', comparisons.fewShotCotVsDirect!, 'direct', 'few-shot CoT'));
    lines.push(describePaired('Worked-solution prompt vs direct', comparisons.workedVsDirect!, 'direct', 'worked'));
    lines.push(describePaired('Self-consistency N = 8 vs greedy worked solution', comparisons.selfConsistency8VsGreedy!, 'greedy', 'N = 8'));
    lines.push(describePaired('Self-consistency N = 16 vs greedy worked solution', comparisons.selfConsistency16VsGreedy!, 'greedy', 'N = 16'));
    const sc8 = comparisons.selfConsistency8VsGreedy!;
    const cot = comparisons.zeroShotCotVsDirect!;
    lines.push('', '**Shapes the papers report**', '');
    lines.push(`- CoT beats direct answering: ${cot.other.estimate > cot.base.estimate && cot.mcnemarP < 0.05 ? 'yes' : 'no'}`
        + ` (zero-shot CoT ${percent(cot.other.estimate)} vs direct ${percent(cot.base.estimate)}, p = ${cot.mcnemarP.toPrecision(2)}).`);
    lines.push(`- Self-consistency with 8 paths beats greedy CoT by a margin outside the intervals: ${sc8.other.low > sc8.base.high ? 'yes' : 'no'}`
        + ` (${formatInterval(sc8.other)} vs ${formatInterval(sc8.base)}; paired p = ${sc8.mcnemarP.toPrecision(2)}).`);
    return lines.join('\n');
}
