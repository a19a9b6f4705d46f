import { basename } from 'node:path';
import { arithmeticProblems } from '../../core/training/arithmeticProblems';
import type { EvaluatedRow } from '../../core/reasoning/evaluateDataset';
import { comparePaired } from '../../core/statistics/pairedComparison';
import type { ExperimentContext, ExperimentReport } from './ExperimentContext';
import { accuracyOf, evaluateCondition, summarizeCondition, withoutRows, type ConditionResult, type ExperimentCondition } from './evaluateCondition';
import { beats, describePaired, formatAccuracy, formatInterval, points, yesNo } from './experimentFormat';

/**
 * The ensemble: examples/arithmetic-ensemble.prompt lists its members in `promptscope.variants`, so the experiment
 * runs exactly what `promptscope eval --strategy ensemble` runs on that prompt.
 */
const ensemble: ExperimentCondition = {
    id: 'ensemble', label: 'ensemble of the three (majority vote)', prompt: 'examples/arithmetic-ensemble.prompt', strategy: 'ensemble',
    flags: { temperature: 0 },
};

/** How the report names the members it knows; another member is named by its file. */
const memberNames: Record<string, { id: string; label: string }> = {
    'arithmetic-ensemble.prompt': { id: 'worked', label: 'worked solution (the turns of arithmetic.prompt)' },
    'arithmetic-direct.prompt': { id: 'direct', label: 'direct answer' },
    'arithmetic-fewshot.prompt': { id: 'fewShot', label: 'few-shot exemplars' },
};

/**
 * A prompt ensemble against its best single template on the trained arithmetic fixture: three templates the model was
 * trained on each answer every held-out problem greedily, and their majority is the ensemble's answer. Each member's
 * own accuracy is read from the same generations (a member of the ensemble answers exactly as it would alone: greedy,
 * one generation), so the comparison is paired on identical outputs; the best member is chosen on these same problems,
 * which favours it.
 */
export async function ensembleExperiment(ctx: ExperimentContext): Promise<ExperimentReport> {
    const problems = arithmeticProblems(ctx.seed, ctx.problems, true);
    const rows = problems.map(p => ({ question: p.question, expected: String(p.answer) }));
    const evaluated = await evaluateCondition(ctx, ensemble, rows);
    const files = (evaluated[0]?.outcome.variants ?? []).map(v => basename(v.file));
    const members: ConditionResult[] = memberCorrectness(evaluated, files.length).map((correct, i) => {
        const name = memberNames[files[i]!] ?? { id: files[i]!.replace(/\.prompt$/, ''), label: files[i]! };
        return {
            ...name, prompt: `examples/${files[i]}`, strategy: 'direct', correct, accuracy: accuracyOf(correct),
            unmapped: evaluated.filter(r => r.outcome.variants?.[i]?.answer === undefined).length,
        };
    });
    const whole = summarizeCondition(ensemble, evaluated);
    const best = bestOf(members);
    const comparison = comparePaired(best.correct, whole.correct);
    const oracle = accuracyOf(evaluated.map((_, row) => members.some(m => m.correct[row])));
    const unanimous = evaluated.filter(r => {
        const answers = (r.outcome.variants ?? []).map(v => v.answer);
        return answers.length > 0 && answers[0] !== undefined && answers.every(a => a === answers[0]);
    }).length;
    return {
        id: 'ensemble',
        markdown: markdown(ctx, members, whole, best, comparison, oracle, unanimous),
        figures: {
            model: ctx.modelPath, problems: ctx.problems, seed: ctx.seed, prompt: ensemble.prompt,
            conditions: [...members, whole].map(withoutRows), best: best.id, oracle, unanimous,
            comparisons: { ensembleVsBest: comparison },
        },
    };
}

/** Per member (in the ensemble's order), per row: whether that member's own answer was right. */
export function memberCorrectness(rows: readonly Pick<EvaluatedRow, 'expected' | 'outcome'>[], members: number): boolean[][] {
    return Array.from({ length: members }, (_, i) => rows.map(r => {
        const answer = r.outcome.variants?.[i]?.answer;
        return answer !== undefined && answer === r.expected;
    }));
}

/** The member with the most right answers; the earlier one on a tie (the ensemble's own tie-break). */
export function bestOf<T extends { accuracy: { correct: number } }>(members: readonly T[]): T {
    if (members.length === 0) throw new RangeError('an ensemble without members has no best one');
    return members.reduce((best, m) => m.accuracy.correct > best.accuracy.correct ? m : best);
}

function markdown(ctx: ExperimentContext, members: ConditionResult[], whole: ConditionResult, best: ConditionResult,
    comparison: ReturnType<typeof comparePaired>, oracle: ReturnType<typeof accuracyOf>, unanimous: number): string {
    const lines: string[] = [];
    lines.push('## Arithmetic: a prompt ensemble against its best template (trained fixture)', '');
    lines.push(`\`npm run experiments -- --only ensemble\`: the trained arithmetic fixture (\`${ctx.modelPath}\`), ${ctx.problems} held-out`
        + ` problems (seed ${ctx.seed}). \`${ensemble.prompt}\` runs ${members.length} templates the model was trained on, each once and`
        + ' greedily, and answers with their majority (ties: the first member\'s answer). A member\'s accuracy is read from the same'
        + ' generations as the vote. 95% Wilson intervals; McNemar\'s exact test on the same problems.', '');
    lines.push('| template | prompt | accuracy [95% CI] | unmapped |', '|---|---|---|---|');
    for (const m of members) lines.push(`| ${m.label}${m.id === best.id ? ' (best single)' : ''} | \`${m.prompt}\` | ${formatAccuracy(m.accuracy)} | ${m.unmapped} |`);
    lines.push(`| **${whole.label}** | \`${whole.prompt}\` | ${formatAccuracy(whole.accuracy)} | ${whole.unmapped} |`);
    lines.push('', `All ${members.length} templates gave the same answer on ${unanimous} of ${ctx.problems} problems; at least one was right on`
        + ` ${formatAccuracy(oracle)} (the most any vote over them could reach).`, '');
    lines.push(describePaired('Ensemble vs its best single template', comparison, best.label, 'the ensemble'));
    lines.push('', '**Shape**', '');
    lines.push(`- The ensemble beats its best single template: ${yesNo(beats(comparison))} (${formatInterval(comparison.other)} vs`
        + ` ${formatInterval(comparison.base)}, paired p = ${comparison.mcnemarP.toPrecision(2)};`
        + ` ${points(comparison.other.estimate - comparison.base.estimate)}). The best template was picked on these same problems, which favours it.`);
    return lines.join('\n');
}
