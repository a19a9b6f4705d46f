import { sentimentReviews, sentimentTrainingPrior } from '../../core/training/sentimentReviews';
import { evaluateDataset } from '../../core/reasoning/evaluateDataset';
import { handlingFor } from '../../core/reasoning/executeStrategy';
import { labelDistribution } from '../../core/reasoning/labelDistribution';
import { preparePrompt, readPromptSource, type PreparedChatPrompt } from '../../core/prompt';
import type { ChatMessage } from '../../core/prompt/chatMessages';
import { wilsonInterval, type Interval } from '../../core/statistics/intervals';
import { comparePaired, type PairedComparison } from '../../core/statistics/pairedComparison';
import { CancelledError } from '../../shared/errors/CancelledError';
import { installedFile } from '../installedFile';
import { labelForms } from '../commands/score';
import type { ExperimentContext, ExperimentReport } from './ExperimentContext';

const promptPath = 'examples/sentiment.prompt';
/** Zhao et al.'s content-free input, as `promptscope score --calibrate` uses it. */
const contentFree = 'N/A';

interface MethodResult {
    id: string;
    label: string;
    predicted: (string | undefined)[];
    correct: boolean[];
    accuracy: Interval & { correct: number; n: number };
    /** Rows: true label; columns: predicted label, then "unmapped". */
    confusion: number[][];
    /** How often each label was predicted: the bias a balanced held-out set makes visible. */
    predictedShare: Record<string, number>;
}

/**
 * Label scoring against a label the model generates, and contextual calibration (Zhao et al. 2021) against none, on
 * the trained sentiment fixture: its corpus labels reviews by a positive-leaning prior times what their clauses say
 * (sentimentReviews.ts) and answers with other words ("good", "bad", "mixed") some of the time, so uncalibrated scores
 * of weakly worded reviews lean positive; the held-out reviews are balanced and labelled by their clauses alone, so the
 * lean shows as predicted shares and confusion matrices, and calibration should reduce it.
 */
export async function sentimentExperiment(ctx: ExperimentContext): Promise<ExperimentReport> {
    const reviews = sentimentReviews(ctx.seed, ctx.problems, true);
    const source = await readPromptSource(installedFile(promptPath));
    const prepare = (review: string) => preparePrompt(source, { input: { review } }) as Promise<PreparedChatPrompt>;
    const first = await prepare(reviews[0]!.review);
    const verbalizer = handlingFor(first).verbalizer;
    if (!verbalizer) throw new Error(`${promptPath} lost its promptscope.answer.labels`);
    const forms = labelForms(undefined, first.settings.answer?.labels);
    const labels = Object.keys(forms);
    const score = ctx.model.scoreContinuations?.bind(ctx.model);
    if (!score) throw new Error('label scoring needs a model that scores continuations (the embedded runtime)');
    const continuations = [...new Set(Object.values(forms).flat())];
    const byLabel = async (messages: ChatMessage[]) => {
        const result = await score({ prompt: messages, continuations }, { signal: ctx.signal });
        const logprob = new Map(result.scores.map(s => [s.text, s.logprob]));
        return Object.fromEntries(Object.entries(forms).map(([label, list]) => [label, list.map(f => logprob.get(f)!)]));
    };
    const free = await byLabel((await prepare(contentFree)).messages);
    const contentFreeShares = Object.fromEntries(labelDistribution(free).map(s => [s.label, s.probability]));

    const uncalibrated: string[] = [];
    const calibrated: string[] = [];
    for (const [i, review] of reviews.entries()) {
        if (ctx.signal.aborted) throw new CancelledError('the sentiment experiment');
        const scores = labelDistribution(await byLabel((await prepare(review.review)).messages), free);
        uncalibrated.push([...scores].sort((a, b) => b.uncalibrated! - a.uncalibrated!)[0]!.label);
        calibrated.push([...scores].sort((a, b) => b.probability - a.probability)[0]!.label);
        if ((i + 1) % 50 === 0 || i + 1 === reviews.length) ctx.progress(`  label scoring: ${i + 1}/${reviews.length}`);
    }
    let done = 0;
    const generation = await evaluateDataset(ctx.model, {
        strategy: 'direct', flags: { temperature: 0 }, seed: ctx.seed, rows: reviews.map(r => ({ review: r.review, expected: r.label })),
        expectedField: 'expected', verbalizer, file: promptPath, signal: ctx.signal,
        prepareRow: async input => ({ run: await prepare(String(input.review)) }),
        onRow: () => {
            done++;
            if (done % 50 === 0 || done === reviews.length) ctx.progress(`  generated labels: ${done}/${reviews.length}`);
        },
    });
    if (generation.cancelled) throw new CancelledError('the sentiment experiment');
    const truth = reviews.map(r => r.label as string);
    const methods = [
        method('generated', 'generated label (greedy, mapped by the verbalizer)', generation.results.map(r => r.answer), truth, labels),
        method('uncalibrated', 'label scoring, uncalibrated', uncalibrated, truth, labels),
        method('calibrated', 'label scoring, calibrated (content-free "N/A")', calibrated, truth, labels),
    ];
    const comparisons = {
        calibratedVsUncalibrated: comparePaired(methods[1]!.correct, methods[2]!.correct),
        scoredVsGenerated: comparePaired(methods[0]!.correct, methods[1]!.correct),
    };
    return {
        id: 'sentiment',
        markdown: markdown(ctx, labels, methods, comparisons, contentFreeShares),
        figures: {
            model: ctx.modelPath, problems: ctx.problems, seed: ctx.seed, contentFree: contentFreeShares,
            methods: methods.map(({ predicted: _p, correct: _c, ...m }) => m), comparisons,
        },
    };
}

function method(id: string, label: string, predicted: (string | undefined)[], truth: string[], labels: string[]): MethodResult {
    const correct = predicted.map((p, i) => p !== undefined && p === truth[i]);
    const right = correct.filter(Boolean).length;
    const confusion = labels.map(() => new Array<number>(labels.length + 1).fill(0));
    predicted.forEach((p, i) => {
        const column = p === undefined ? labels.length : labels.indexOf(p);
        confusion[labels.indexOf(truth[i]!)]![column < 0 ? labels.length : column]!++;
    });
    const predictedShare = Object.fromEntries(labels.map(l => [l, predicted.filter(p => p === l).length / predicted.length]));
    return { id, label, predicted, correct, accuracy: { ...wilsonInterval(right, truth.length), correct: right, n: truth.length }, confusion, predictedShare };
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const interval = (i: Interval) => `${percent(i.estimate)} [${(i.low * 100).toFixed(1)}, ${(i.high * 100).toFixed(1)}]`;

function markdown(ctx: ExperimentContext, labels: string[], methods: MethodResult[], comparisons: Record<string, PairedComparison>,
    contentFreeShares: Record<string, number>): string {
    const lines: string[] = [];
    lines.push('## Sentiment: label scoring and calibration (trained fixture)', '');
    lines.push(`\`npm run experiments -- --only sentiment\`: the trained sentiment fixture (\`${ctx.modelPath}\`), ${ctx.problems} held-out reviews`
        + ` (seed ${ctx.seed}; a third of each label, labelled by what the clauses say; held out by a hash of the text). Its training corpus drew each review's label from`
        + ` a prior of ${labels.map(l => `${sentimentTrainingPrior[l as keyof typeof sentimentTrainingPrior]}`).join(' : ')} (${labels.join(' : ')}) times`
        + ' what its clauses say (strong clauses all but decide; weak ones lean 1.6 : 1 : 1, so the prior decides them) and answered'
        + ' with "good", "great", "bad" or "mixed" a fifth to a third of the time: the majority-label and surface-form bias of Zhao et al. (2021).'
        + ` Label scoring sums each label's surface forms (\`${promptPath}\`'s verbalizer) by log-sum-exp; calibration divides by the`
        + ` content-free input's label probabilities (${labels.map(l => `${l} ${percent(contentFreeShares[l]!)}`).join(', ')}) and renormalises.`, '');
    lines.push(`| method | accuracy [95% CI] | ${labels.map(l => `predicted ${l}`).join(' | ')} |`, `|---|---|${labels.map(() => '---').join('|')}|`);
    for (const m of methods) lines.push(`| ${m.label} | ${interval(m.accuracy)} (${m.accuracy.correct}/${m.accuracy.n}) | ${labels.map(l => percent(m.predictedShare[l]!)).join(' | ')} |`);
    lines.push('', `A balanced set would be predicted ${labels.map(() => '33.3%').join(' / ')}.`, '');
    for (const m of methods) {
        lines.push(`**Confusion: ${m.label}** (rows: true label; columns: predicted)`, '');
        lines.push(`| true \\ predicted | ${labels.join(' | ')} | unmapped |`, `|---|${labels.map(() => '---').join('|')}|---|`);
        labels.forEach((l, i) => lines.push(`| ${l} | ${m.confusion[i]!.join(' | ')} |`));
        lines.push('');
    }
    const cal = comparisons.calibratedVsUncalibrated!;
    const scored = comparisons.scoredVsGenerated!;
    const majority = labels[0]!;
    const uncal = methods[1]!.predictedShare[majority]!;
    const calShare = methods[2]!.predictedShare[majority]!;
    lines.push(`- Calibrated vs uncalibrated scoring: ${percent(cal.other.estimate)} vs ${percent(cal.base.estimate)} (${cal.onlyOther} reviews right only`
        + ` calibrated, ${cal.onlyBase} only uncalibrated; McNemar p = ${cal.mcnemarP.toPrecision(2)}).`);
    lines.push(`- Uncalibrated scoring vs the generated label: ${percent(scored.other.estimate)} vs ${percent(scored.base.estimate)}`
        + ` (McNemar p = ${scored.mcnemarP.toPrecision(2)}).`);
    lines.push(`- The bias: uncalibrated scoring predicts ${majority} for ${percent(uncal)} of a set that is one-third ${majority};`
        + ` calibrated, ${percent(calShare)}. Calibration reduces the bias: ${Math.abs(calShare - 1 / 3) < Math.abs(uncal - 1 / 3) ? 'yes' : 'no'}.`);
    return lines.join('\n');
}
