import { SeededRandom } from '../fixtures/SeededRandom';

export type ArithmeticOperator = '+' | '-';

/** One problem of the `arithmetic` training task: a question, its written solution and the number it ends with. */
export interface ArithmeticProblem {
    a: number;
    b: number;
    operator: ArithmeticOperator;
    /** A word problem, or a plain "What is A + B?". */
    question: string;
    /** Column-by-column working in a fixed format, ending in "The answer is N." */
    solution: string;
    answer: number;
}

/** Problems are drawn with operands of these many digits; a curriculum starts with the first. */
export type OperandDigits = 2 | 3;

export interface ArithmeticProblemOptions {
    /** Largest number of digits of an operand. Defaults to 3. */
    digits?: OperandDigits;
    /** Share of plain "What is A + B?" questions; the rest are word problems. Defaults to 0.3. */
    plainShare?: number;
}

// Words the fixture vocabulary knows whole (src/core/fixtures/englishWords.ts), so a problem is few tokens and the
// model's capacity goes to the digits.
const people = [['A boy', 'he', 'his'], ['A girl', 'she', 'her'], ['A man', 'he', 'his'], ['A woman', 'she', 'her']] as const;
const things = ['apples', 'books', 'stones', 'balls', 'bananas', 'cards'] as const;

/**
 * Whether a problem is kept out of every training corpus (about one in eight, by a hash of the operands and operator):
 * held-out evaluation draws only these, so a model is never scored on a problem it was trained on.
 */
export function isHeldOutProblem(a: number, operator: ArithmeticOperator, b: number): boolean {
    let hash = 0x811c9dc5;
    for (const c of `${a}${operator}${b}`) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193);
    return ((hash >>> 0) & 7) === 0;
}

/**
 * Deterministic problems from `seed`: training problems (`heldOut: false`) or held-out ones (`heldOut: true`), never
 * the same problem in both. Subtraction never goes below zero.
 */
export function arithmeticProblems(seed: number, count: number, heldOut: boolean, options: ArithmeticProblemOptions = {}): ArithmeticProblem[] {
    const random = new SeededRandom(seed, heldOut ? 'arithmetic held-out' : 'arithmetic training');
    const digits = options.digits ?? 3;
    const plainShare = options.plainShare ?? 0.3;
    const problems: ArithmeticProblem[] = [];
    while (problems.length < count) {
        const operator: ArithmeticOperator = random.nextInt(2) === 0 ? '+' : '-';
        const operand = () => {
            const length = 2 + random.nextInt(digits - 1);
            return 10 ** (length - 1) + random.nextInt(9 * 10 ** (length - 1));
        };
        let a = operand();
        let b = operand();
        if (operator === '-' && b > a) [a, b] = [b, a];
        if (isHeldOutProblem(a, operator, b) !== heldOut) continue;
        const plain = random.nextFloat() < plainShare;
        problems.push(arithmeticProblem(a, operator, b, plain ? undefined : random));
    }
    return problems;
}

/** The problem `a operator b`, as a word problem when `random` picks its wording, else as a plain question. */
export function arithmeticProblem(a: number, operator: ArithmeticOperator, b: number, random?: SeededRandom): ArithmeticProblem {
    const answer = operator === '+' ? a + b : a - b;
    if (answer < 0) throw new RangeError(`${a} - ${b} is negative: the arithmetic task has no negative answers`);
    let question = `What is ${a} ${operator} ${b}?`;
    if (random) {
        const [who, pronoun, possessive] = people[random.nextInt(people.length)]!;
        const thing = things[random.nextInt(things.length)]!;
        const subject = pronoun[0]!.toUpperCase() + pronoun.slice(1);
        question = operator === '+'
            ? `${who} has ${a} ${thing}. ${subject} gets ${b} more from ${possessive} friend. How many ${thing} does ${pronoun} have now?`
            : `${who} has ${a} ${thing}. ${subject} gives ${b} of them away. How many ${thing} are left?`;
    }
    return { a, b, operator, question, solution: writtenSolution(a, operator, b), answer };
}

/**
 * Column arithmetic from the ones up, one sentence per column, then the result:
 * `7 + 6 = 13, write 3 carry 1. 4 + 8 + 1 = 13, write 3 carry 1. 3 + 5 + 1 = 9, write 9. So 347 + 586 = 933. The answer is 933.`
 * `16 - 7 = 9, borrow 1. 8 - 1 - 4 = 3. 5 - 3 = 2. So 586 - 347 = 239. The answer is 239.`
 */
export function writtenSolution(a: number, operator: ArithmeticOperator, b: number): string {
    const result = operator === '+' ? a + b : a - b;
    const columns = Math.max(String(a).length, String(b).length);
    const digit = (n: number, i: number) => Math.floor(n / 10 ** i) % 10;
    const steps: string[] = [];
    let carry = 0;
    for (let i = 0; i < columns; i++) {
        const x = digit(a, i);
        const hasY = i < String(b).length;
        const y = digit(b, i);
        if (operator === '+') {
            const sum = x + y + carry;
            const terms = [x, ...(hasY ? [y] : []), ...(carry ? [carry] : [])].join(' + ');
            const last = i === columns - 1;
            steps.push(sum >= 10 && !last ? `${terms} = ${sum}, write ${sum % 10} carry 1.` : `${terms} = ${sum}, write ${sum}.`);
            carry = sum >= 10 ? 1 : 0;
        } else {
            const borrow = x - carry < y;
            const top = borrow ? 10 + x : x;
            const terms = [top, ...(carry ? [carry] : []), ...(hasY ? [y] : [])].join(' - ');
            const difference = top - carry - y;
            steps.push(borrow ? `${terms} = ${difference}, borrow 1.` : `${terms} = ${difference}.`);
            carry = borrow ? 1 : 0;
        }
    }
    return `${steps.join(' ')} So ${a} ${operator} ${b} = ${result}. The answer is ${result}.`;
}

/**
 * The same working without its closing "The answer is N.": what follows "Let's think step by step." in zero-shot chain
 * of thought, where the answer comes after the answer trigger instead.
 */
export function workedSteps(a: number, operator: ArithmeticOperator, b: number): string {
    const solution = writtenSolution(a, operator, b);
    return solution.slice(0, solution.lastIndexOf(' The answer is '));
}
