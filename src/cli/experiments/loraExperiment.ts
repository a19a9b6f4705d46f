import { arithmeticProblems } from '../../core/training/arithmeticProblems';
import { threeTermSums } from '../../core/training/threeTermSums';
import { trainingTasks } from '../../core/training/trainingTasks';
import { comparePaired, type PairedComparison } from '../../core/statistics/pairedComparison';
import type { ExperimentContext, ExperimentReport } from './ExperimentContext';
import { evaluateCondition, summarizeCondition, withoutRows, type ConditionResult, type ExperimentCondition } from './evaluateCondition';
import { beats, describePaired, formatAccuracy, formatInterval, points, yesNo } from './experimentFormat';
import { MissingTrainedFixtureError } from './MissingTrainedFixtureError';
import { trainCommand, trainedFixtures } from './trainedFixtures';

/** Hu et al. (2021) scale the adapter's update by α/r; the runtime's scale multiplies it again: 0 is the base, 1 as trained. */
export const loraScales = [0, 0.5, 1] as const;

/** The prompt both tasks are asked with: the one the base and the adapter were trained on. */
const prompt = 'examples/arithmetic.prompt';

const tasks = [
    { id: 'threeTerm', label: 'three-term sums (the adapter\'s task)' },
    { id: 'twoTerm', label: 'two-term problems (the base task)' },
] as const;

type TaskId = (typeof tasks)[number]['id'];

/** A condition's id in the figures: `threeTermScale0.5`. */
export function loraConditionId(task: TaskId, scale: number): string {
    return `${task}Scale${scale}`;
}

/**
 * What a LoRA adapter teaches and what it costs (Hu et al. 2021): the trained arithmetic fixture with its three-term
 * adapter at scales 0, 0.5 and 1, each on held-out sums of three two-digit numbers (the adapter's task, which the base
 * never saw) and on held-out two-term problems (the base task, which the adapter's fine-tuning only rehearsed). The
 * adapter goes with every request at its scale, so one loaded base serves all three; greedy worked solutions, Wilson
 * 95% intervals, McNemar's test of each scale against scale 0 on the same problems.
 */
export async function loraExperiment(ctx: ExperimentContext): Promise<ExperimentReport> {
    const adapter = ctx.adapter;
    if (adapter === undefined) throw new MissingTrainedFixtureError(trainedFixtures.threeTermLora.file, trainCommand(trainedFixtures.threeTermLora));
    const rows: Record<TaskId, Record<string, unknown>[]> = {
        threeTerm: threeTermSums(ctx.seed, ctx.problems, true).map(s => ({ question: s.question, expected: String(s.answer) })),
        twoTerm: arithmeticProblems(ctx.seed, ctx.problems, true).map(p => ({ question: p.question, expected: String(p.answer) })),
    };
    const results: (ConditionResult & { task: TaskId; scale: number })[] = [];
    // One scale at a time: the runtime keeps a context per adapter set and scale, made on its first request.
    for (const scale of loraScales) {
        for (const task of tasks) {
            const condition: ExperimentCondition = {
                id: loraConditionId(task.id, scale), label: `${task.label}, scale ${scale}`, prompt, strategy: 'direct', flags: { temperature: 0 },
                lora: [{ path: adapter.path, scale }],
            };
            results.push({ ...summarizeCondition(condition, await evaluateCondition(ctx, condition, rows[task.id])), task: task.id, scale });
        }
    }
    const find = (task: TaskId, scale: number) => results.find(r => r.task === task && r.scale === scale)!;
    const comparisons: Record<string, PairedComparison> = {};
    for (const task of tasks) {
        for (const scale of loraScales.slice(1)) {
            comparisons[`${loraConditionId(task.id, scale)}VsScale0`] = comparePaired(find(task.id, 0).correct, find(task.id, scale).correct);
        }
    }
    return {
        id: 'lora',
        markdown: markdown(ctx, adapter.name, find, comparisons),
        figures: {
            model: ctx.modelPath, adapter: adapter.name, problems: ctx.problems, seed: ctx.seed, scales: [...loraScales],
            conditions: results.map(withoutRows), comparisons,
        },
    };
}

function markdown(ctx: ExperimentContext, adapter: string, find: (task: TaskId, scale: number) => ConditionResult,
    comparisons: Record<string, PairedComparison>): string {
    const lines: string[] = [];
    lines.push('## LoRA: what the three-term adapter teaches and what it costs (trained fixture)', '');
    lines.push(`\`npm run experiments -- --only lora\`: the trained arithmetic fixture (\`${ctx.modelPath}\`) with the adapter \`${adapter}\``
        + ` (\`${trainCommand(trainedFixtures.threeTermLora)}\`: the fine-tuning's weight change at rank ${trainingTasks['three-term']!.startsFrom!.adapterRank}) at scales ${loraScales.join(', ')}`
        + ` (0: the base model; 1: as trained), sent with every request. ${ctx.problems} held-out problems of each task (seed ${ctx.seed};`
        + ` held out by a hash of the terms, so neither training saw them), asked with \`${prompt}\`, greedy. 95% Wilson intervals;`
        + ' McNemar\'s exact test of each scale against scale 0 on the same problems.', '');
    lines.push(`| scale | ${tasks.map(t => `${t.label}: accuracy [95% CI] | unmapped`).join(' | ')} |`, `|---|${tasks.map(() => '---|---').join('|')}|`);
    for (const scale of loraScales) {
        lines.push(`| ${scale} | ${tasks.map(t => `${formatAccuracy(find(t.id, scale).accuracy)} | ${find(t.id, scale).unmapped}`).join(' | ')} |`);
    }
    lines.push('', '**Paired comparisons with scale 0 (the base)**', '');
    for (const task of tasks) {
        for (const scale of loraScales.slice(1)) {
            lines.push(describePaired(`${task.label}, scale ${scale} vs 0`, comparisons[`${loraConditionId(task.id, scale)}VsScale0`]!, 'scale 0', `scale ${scale}`));
        }
    }
    const taught = comparisons[`${loraConditionId('threeTerm', 1)}VsScale0`]!;
    const cost = comparisons[`${loraConditionId('twoTerm', 1)}VsScale0`]!;
    const [three0, threeHalf, three1] = loraScales.map(s => find('threeTerm', s).accuracy.estimate);
    lines.push('', '**Shapes**', '');
    lines.push(`- The adapter teaches three-term sums (scale 1 beats scale 0): ${yesNo(beats(taught))} (${formatInterval(taught.other)} vs`
        + ` ${formatInterval(taught.base)}, p = ${taught.mcnemarP.toPrecision(2)}).`);
    lines.push(`- It costs accuracy on the base task (scale 1 below scale 0 beyond chance): ${yesNo(cost.other.estimate < cost.base.estimate && cost.mcnemarP < 0.05)}`
        + ` (${formatInterval(cost.other)} vs ${formatInterval(cost.base)}, ${points(cost.other.estimate - cost.base.estimate)}, p = ${cost.mcnemarP.toPrecision(2)}).`);
    lines.push(`- Scale 0.5 lies between scales 0 and 1 on three-term sums: ${yesNo(three0! <= threeHalf! && threeHalf! <= three1!)}`
        + ` (${[three0, threeHalf, three1].map(x => `${(x! * 100).toFixed(1)}%`).join(', ')}).`);
    return lines.join('\n');
}
