import { canonicalNumber } from './extractAnswer';

const wholeNumber = /^([-\u2212])?[$€£¥]?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)%?$/u;

/**
 * The comparable form of an answer: Unicode NFKC (full-width letters and digits become ASCII, `ﬁ` becomes `fi`),
 * lower case, punctuation and symbols of any script removed (`正面。` → `正面`, `«Great!»` → `great`), runs of
 * white space collapsed to one space. A whole number keeps its sign and decimal point and comes back canonical
 * (`"1,234.50"` → `"1234.5"`, `"-3"` → `"-3"`), since removing punctuation from it would change its value.
 */
export function foldAnswer(answer: string): string {
    const lowered = answer.normalize('NFKC').toLowerCase().trim();
    const number = wholeNumber.exec(lowered.replace(/\.$/u, ''));
    if (number) return canonicalNumber(number[1], number[2]!);
    return lowered.replace(/[\p{P}\p{S}]+/gu, ' ').replace(/\s+/gu, ' ').trim();
}
