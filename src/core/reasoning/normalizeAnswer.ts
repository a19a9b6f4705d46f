import { foldAnswer } from './foldAnswer';
import type { Verbalizer } from './Verbalizer';

/** The answer that votes and scores: the verbalizer's label, else the folded answer (undefined when none). */
export function normalizeAnswer(raw: string | undefined, verbalizer: Verbalizer | undefined): string | undefined {
    if (verbalizer) return verbalizer.map(raw);
    return raw === undefined ? undefined : foldAnswer(raw) || undefined;
}
