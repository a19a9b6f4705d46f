import { SeededRandom } from '../fixtures/SeededRandom';

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

/** One review of the `sentiment` training task, its true label, and the word the model is taught to answer with. */
export interface SentimentReview {
    review: string;
    label: SentimentLabel;
    /** The label or one of its verbalizer forms (examples/sentiment.prompt): the surface-form bias of the corpus. */
    reply: string;
}

// Clauses built from words the fixture vocabulary knows whole (src/core/fixtures/englishWords.ts). A review's label is
// the sign of its clauses' polarities summed, so the model has to weigh them, and mixed reviews are close calls.
const things = ['food', 'coffee', 'book', 'music', 'game', 'team', 'story', 'bread', 'tea', 'house', 'car', 'room'] as const;
const clauses: readonly [string, number][] = [
    ['the {t} was good', 1], ['the {t} was great', 1], ['I love the {t}', 1], ['the {t} was really good', 1],
    ['thanks for the {t}', 1], ['what a great {t}', 1], ['the {t} was new and good', 1],
    ['the {t} was bad', -1], ['the {t} was old and bad', -1], ['I want my money back for the {t}', -1],
    ['the {t} was late', -1], ['sorry but the {t} was bad', -1], ['never again this {t}', -1],
    ['the {t} was okay', 0], ['the {t} was the same as last year', 0], ['I read about the {t}', 0], ['the {t} was red', 0],
];

/** The forms a label may be answered with in the corpus, and how often (the rest: the label itself). */
const surfaceForms: Record<SentimentLabel, [string, number][]> = {
    positive: [['good', 0.25], ['great', 0.1]],
    negative: [['bad', 0.25]],
    neutral: [['mixed', 0.2]],
};

/** Share of each label the training corpus keeps (the majority-label bias); held-out reviews keep every label alike. */
export const sentimentTrainingPrior: Record<SentimentLabel, number> = { positive: 1, negative: 0.45, neutral: 0.3 };

/** Whether a review is kept out of every training corpus (one in eight, by a hash of its text). */
export function isHeldOutReview(review: string): boolean {
    let hash = 0x811c9dc5;
    for (const c of review) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193);
    return ((hash >>> 0) & 7) === 0;
}

/**
 * Deterministic reviews from `seed`. Training reviews (`heldOut: false`) follow {@link sentimentTrainingPrior}, so most
 * are positive, and are answered with a surface form now and then; held-out ones are balanced across the labels and
 * answered with the label itself. No review is in both.
 */
export function sentimentReviews(seed: number, count: number, heldOut: boolean): SentimentReview[] {
    const random = new SeededRandom(seed, heldOut ? 'sentiment held-out' : 'sentiment training');
    const reviews: SentimentReview[] = [];
    const counts: Record<SentimentLabel, number> = { positive: 0, negative: 0, neutral: 0 };
    while (reviews.length < count) {
        const parts: string[] = [];
        let polarity = 0;
        const length = 1 + random.nextInt(3);
        for (let i = 0; i < length; i++) {
            const [text, value] = clauses[random.nextInt(clauses.length)]!;
            parts.push(text.replace('{t}', things[random.nextInt(things.length)]!));
            polarity += value;
        }
        const review = parts.map(p => p[0]!.toUpperCase() + p.slice(1)).join('. ') + '.';
        if (isHeldOutReview(review) !== heldOut) continue;
        const label: SentimentLabel = polarity > 0 ? 'positive' : polarity < 0 ? 'negative' : 'neutral';
        if (heldOut) {
            // Balanced: a label is taken only while it has no more than the others.
            if (counts[label] > Math.min(counts.positive, counts.negative, counts.neutral)) continue;
        } else if (random.nextFloat() >= sentimentTrainingPrior[label]) {
            continue;
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
