import { EmptyDatasetError } from './errors/EmptyDatasetError';

/** One dataset row after extraction and mapping: both sides already normalised (labels, or folded answers). */
export interface ScoredRow {
    expected: string;
    /** Undefined when the answer was unmapped (or nothing was extracted). */
    answer: string | undefined;
}

export interface LabelCounts {
    /** Rows whose expected answer is this label. */
    expected: number;
    /** Rows answered with this label. */
    predicted: number;
    /** Rows both expected and answered with it. */
    correct: number;
    /** correct / predicted; 0 when never predicted. */
    precision: number;
    /** correct / expected; 0 when never expected. */
    recall: number;
}

export interface ConfusionMatrix {
    /** Row and column labels (expected down, answered across), in the given label order, then first appearance. */
    labels: string[];
    /** `matrix[i][j]`: rows expecting `labels[i]` answered `labels[j]`; the extra last column counts unmapped answers. */
    matrix: number[][];
}

export interface AnswerMetrics {
    n: number;
    correct: number;
    /** correct / n, unmapped rows counted as wrong. */
    accuracy: number;
    unmapped: number;
    perLabel: Record<string, LabelCounts>;
    confusion: ConfusionMatrix;
}

export interface ScoreOptions {
    /** The label set, which fixes the confusion matrix's order and includes labels nobody answered. Defaults to the labels in order of first appearance. */
    labels?: readonly string[];
}

/**
 * Accuracy, per-label counts and the confusion matrix of a dataset run. Comparison is exact: map answers and
 * expected values through the same Verbalizer or foldAnswer first. Unmapped answers are wrong and counted.
 */
export function scoreAnswers(rows: readonly ScoredRow[], options: ScoreOptions = {}): AnswerMetrics {
    if (rows.length === 0) throw new EmptyDatasetError();
    const labels = [...(options.labels ?? [])];
    const index = new Map(labels.map((label, i) => [label, i]));
    const see = (label: string) => {
        if (!index.has(label)) {
            index.set(label, labels.length);
            labels.push(label);
        }
    };
    for (const row of rows) {
        see(row.expected);
        if (row.answer !== undefined) see(row.answer);
    }
    const matrix = labels.map(() => new Array<number>(labels.length + 1).fill(0));
    let correct = 0;
    let unmapped = 0;
    for (const row of rows) {
        const column = row.answer === undefined ? labels.length : index.get(row.answer)!;
        matrix[index.get(row.expected)!]![column]!++;
        if (row.answer === undefined) unmapped++;
        else if (row.answer === row.expected) correct++;
    }
    const perLabel: Record<string, LabelCounts> = {};
    labels.forEach((label, i) => {
        const expected = matrix[i]!.reduce((a, b) => a + b, 0);
        const predicted = matrix.reduce((sum, r) => sum + r[i]!, 0);
        const right = matrix[i]![i]!;
        perLabel[label] = {
            expected, predicted, correct: right,
            precision: predicted > 0 ? right / predicted : 0,
            recall: expected > 0 ? right / expected : 0,
        };
    });
    return { n: rows.length, correct, accuracy: correct / rows.length, unmapped, perLabel, confusion: { labels, matrix } };
}
