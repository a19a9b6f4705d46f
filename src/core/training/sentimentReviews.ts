import { SeededRandom } from '../fixtures/SeededRandom';

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

/** One review of the `sentiment` training task, its true label, and the word the model is taught to answer with. */
export interface SentimentReview {
    review: string;
    label: SentimentLabel;
    /** The label or one of its verbalizer forms (examples/sentiment.prompt): the surface-form bias of the corpus. */
    reply: string;
}

// Clauses built from words the fixture vocabulary knows whole (src/core/fixtures/englishWords.ts), each with how
// likely it is in a positive, a negative and a neutral review. Strong clauses all but decide a review; weak ones lean
// (1.6 : 1 : 1) and leave the label to the prior; plain ones say nothing. A training review's label is drawn from
// prior × likelihood, so the model learns P(label | review) with the corpus's majority-label bias inside it: on a
// weakly negative or neutral review the prior wins and an uncalibrated score says positive. Dividing by the scores of
// a content-free input (calibration) takes the prior out again.
const things = ['food', 'coffee', 'book', 'music', 'game', 'team', 'story', 'bread', 'tea', 'house', 'car', 'room'] as const;
const strong = [0.9, 0.05, 0.05] as const;
const weak = [0.45, 0.275, 0.275] as const;
const lean = (label: SentimentLabel, shares: readonly [number, number, number]): Likelihood => {
    const [own, other, third] = shares;
    return label === 'positive' ? [own, other, third] : label === 'negative' ? [other, own, third] : [other, third, own];
};
/** P(clause | positive), P(clause | negative), P(clause | neutral), up to a common factor. */
type Likelihood = readonly [number, number, number];
const labelsInOrder: readonly SentimentLabel[] = ['positive', 'negative', 'neutral'];
const clauses: readonly [string, Likelihood][] = [
    ['the {t} was great', lean('positive', strong)], ['I love the {t}', lean('positive', strong)], ['what a great {t}', lean('positive', strong)],
    ['the {t} was good', lean('positive', weak)], ['thanks for the {t}', lean('positive', weak)], ['the {t} was new', lean('positive', weak)],
    ['the {t} was bad', lean('negative', strong)], ['I want my money back for the {t}', lean('negative', strong)], ['never again this {t}', lean('negative', strong)],
    ['the {t} was late', lean('negative', weak)], ['the {t} was old', lean('negative', weak)], ['sorry but the {t} was small', lean('negative', weak)],
    ['the {t} was okay', lean('neutral', strong)], ['the {t} was the same as last year', lean('neutral', strong)], ['the {t} was not good and not bad', lean('neutral', strong)],
    ['I read about the {t}', lean('neutral', weak)], ['the {t} was red', lean('neutral', weak)], ['the {t} was big', lean('neutral', weak)],
    ['I buy the {t} every week', [1, 1, 1]], ['my friend has the {t}', [1, 1, 1]], ['there was the {t} today', [1, 1, 1]],
];

/** The forms a label may be answered with in the corpus, and how often (the rest: the label itself). */
const surfaceForms: Record<SentimentLabel, [string, number][]> = {
    positive: [['good', 0.25], ['great', 0.1]],
    negative: [['bad', 0.25]],
    neutral: [['mixed', 0.2]],
};

/** The prior a training review's label is drawn with, times its clauses' likelihoods (the majority-label bias); held-out reviews are balanced. */
export const sentimentTrainingPrior: Record<SentimentLabel, number> = { positive: 1, negative: 0.45, neutral: 0.3 };

/** Whether a review is kept out of every training corpus (one in eight, by a hash of its text). */
export function isHeldOutReview(review: string): boolean {
    let hash = 0x811c9dc5;
    for (const c of review) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193);
    return ((hash >>> 0) & 7) === 0;
}

/**
 * Deterministic reviews of one or two clauses from `seed`. Training reviews (`heldOut: false`) draw their label from
 * {@link sentimentTrainingPrior} × the clauses' likelihoods, so most are positive, and are answered with a surface form
 * now and then. A held-out review's label is the one its clauses make most likely (reviews without one are skipped),
 * balanced across the labels and answered with the label itself: the label a reader without the corpus's prior would
 * give. No review is in both.
 */
export function sentimentReviews(seed: number, count: number, heldOut: boolean): SentimentReview[] {
    const random = new SeededRandom(seed, heldOut ? 'sentiment held-out' : 'sentiment training');
    const reviews: SentimentReview[] = [];
    const counts: Record<SentimentLabel, number> = { positive: 0, negative: 0, neutral: 0 };
    while (reviews.length < count) {
        const parts: string[] = [];
        const likelihood = [1, 1, 1];
        const length = 1 + random.nextInt(2);
        for (let i = 0; i < length; i++) {
            const [text, shares] = clauses[random.nextInt(clauses.length)]!;
            parts.push(text.replace('{t}', things[random.nextInt(things.length)]!));
            shares.forEach((share, k) => { likelihood[k]! *= share; });
        }
        const review = parts.map(p => p[0]!.toUpperCase() + p.slice(1)).join('. ') + '.';
        if (isHeldOutReview(review) !== heldOut) continue;
        let label: SentimentLabel;
        if (heldOut) {
            const best = Math.max(...likelihood);
            if (likelihood.filter(l => l === best).length > 1) continue;
            label = labelsInOrder[likelihood.indexOf(best)]!;
            // Balanced: a label is taken only while it has no more than the others.
            if (counts[label] > Math.min(counts.positive, counts.negative, counts.neutral)) continue;
        } else {
            const weights = labelsInOrder.map((l, k) => sentimentTrainingPrior[l] * likelihood[k]!);
            let draw = random.nextFloat() * weights.reduce((a, b) => a + b, 0);
            let k = 0;
            while (k < weights.length - 1 && draw >= weights[k]!) draw -= weights[k++]!;
            label = labelsInOrder[k]!;
        }
        counts[label]++;
        let reply: string = label;
        if (!heldOut) {
            let draw = random.nextFloat();
            for (const [form, share] of surfaceForms[label]) {
                if (draw < share) {
                    reply = form;
                    break;
                }
                draw -= share;
            }
        }
        reviews.push({ review, label, reply });
    }
    return reviews;
}
