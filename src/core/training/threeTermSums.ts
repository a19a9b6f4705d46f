import { SeededRandom } from '../fixtures/SeededRandom';
import { columnAddition } from './arithmeticProblems';

/** A sum of three two-digit numbers: the skill the arithmetic fixture's LoRA adapter learns on top of two-term sums. */
export interface ThreeTermSum {
    terms: [number, number, number];
    question: string;
    /** The arithmetic task's column working, with three digits (and the carry) a column. */
    solution: string;
    answer: number;
}

const people = [['A boy', 'he'], ['A girl', 'she'], ['A man', 'he'], ['A woman', 'she']] as const;
const things = ['apples', 'books', 'stones', 'balls', 'bananas', 'cards'] as const;

/** Whether a sum is kept out of training (about one in eight, by a hash of its terms), as for two-term problems. */
export function isHeldOutSum(terms: readonly number[]): boolean {
    let hash = 0x811c9dc5;
    for (const c of terms.join('+')) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193);
    return ((hash >>> 0) & 7) === 0;
}

/** `a+b+c: …columns… The answer is N.`, in the two-term task's format. */
export function threeTermSolution(terms: readonly number[]): string {
    const answer = terms.reduce((x, y) => x + y, 0);
    return `${terms.join('+')}: ${columnAddition(terms).join(' ')} The answer is ${answer}.`;
}

/** Deterministic three-term sums from `seed`, a third plain questions, the rest word problems; held-out ones never train. */
export function threeTermSums(seed: number, count: number, heldOut: boolean): ThreeTermSum[] {
    const random = new SeededRandom(seed, heldOut ? 'three-term held-out' : 'three-term training');
    const sums: ThreeTermSum[] = [];
    while (sums.length < count) {
        const terms = [0, 0, 0].map(() => 10 + random.nextInt(90)) as [number, number, number];
        if (isHeldOutSum(terms) !== heldOut) continue;
        let question = `What is ${terms.join(' + ')}?`;
        if (random.nextFloat() >= 1 / 3) {
            const [who, pronoun] = people[random.nextInt(people.length)]!;
            const thing = things[random.nextInt(things.length)]!;
            const subject = pronoun[0]!.toUpperCase() + pronoun.slice(1);
            question = `${who} has ${terms[0]} ${thing}. ${subject} gets ${terms[1]} more and then ${terms[2]} more. How many ${thing} does ${pronoun} have now?`;
        }
        sums.push({ terms, question, solution: threeTermSolution(terms), answer: terms[0] + terms[1] + terms[2] });
    }
    return sums;
}
