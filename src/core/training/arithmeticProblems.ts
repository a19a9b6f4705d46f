import { SeededRandom } from '../fixtures/SeededRandom';

export type ArithmeticOperator = '+' | '-';

/** One problem of the `arithmetic` training task: a question, its written solution and the number it ends with. */
export interface ArithmeticProblem {
    a: number;
    b: number;
    operator: ArithmeticOperator;
    /** A word problem, or a plain "What is A + B?". */
    question: string;
    /** Whether `question` is the plain "What is A + B?" rather than a word problem. */
    plain: boolean;
    /** Column-by-column working in a fixed format, ending in "The answer is N." */
    solution: string;
    answer: number;
}

/** Problems are drawn with operands of these many digits. */
export type OperandDigits = 2 | 3;

export interface ArithmeticProblemOptions {
    /**
     * Largest number of digits of an operand. Defaults to 2: with both operands two digits long every column step sits at
     * the same distance from the restated problem, which a 1.4M-parameter model learns to read in minutes of CPU.
     */
    digits?: OperandDigits;
    /**
     * Share of plain "What is A + B?" questions; the rest are word problems. Defaults to 0.5: the arithmetic corpus
     * rushes bare questions more often than not (trainingTasks.ts), and half the problems bare is where greedy decoding
     * and sampled paths part ways on enough problems to measure.
     */
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
    const digits = options.digits ?? 2;
    const plainShare = options.plainShare ?? 0.5;
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
    return { a, b, operator, question, plain: random === undefined, solution: writtenSolution(a, operator, b), answer };
}

/**
 * Column arithmetic from the ones up in a compact fixed format: the problem restated without spaces (one token a
 * digit or sign, and every later step a fixed distance from it), one equation a column with the carry or borrow as a
 * term of the next one, then the answer:
 * `47+86: 7+6=13. 4+8+1=13. The answer is 133.`
 * `86-47: 16-7=9. 8-1-4=3. The answer is 39.`
 */
export function writtenSolution(a: number, operator: ArithmeticOperator, b: number): string {
    const result = operator === '+' ? a + b : a - b;
    return `${workedSteps(a, operator, b)} The answer is ${result}.`;
}

/**
 * The same working without its closing "The answer is N.": what follows "Let's think step by step." in zero-shot chain
 * of thought, where the answer comes after the answer trigger instead.
 */
export function workedSteps(a: number, operator: ArithmeticOperator, b: number): string {
    return `${a}${operator}${b}: ${(operator === '+' ? columnAddition([a, b]) : columnSubtraction(a, b)).join(' ')}`;
}

const digitOf = (n: number, i: number) => Math.floor(n / 10 ** i) % 10;

/** One equation a column from the ones up, the carry a term of the next column: `7+6=13.` `4+8+1=13.` */
export function columnAddition(terms: readonly number[]): string[] {
    const columns = Math.max(...terms.map(t => String(t).length));
    const steps: string[] = [];
    let carry = 0;
    for (let i = 0; i < columns; i++) {
        const digits = terms.filter(t => i < String(t).length).map(t => digitOf(t, i));
        const sum = digits.reduce((x, y) => x + y, 0) + carry;
        steps.push(`${[...digits, ...(carry ? [carry] : [])].join('+')}=${sum}.`);
        carry = Math.floor(sum / 10);
    }
    return steps;
}

/** One equation a column from the ones up, a borrow written as the 1 before the top digit and taken from the next: `16-7=9.` `8-1-4=3.` */
function columnSubtraction(a: number, b: number): string[] {
    const steps: string[] = [];
    let carry = 0;
    for (let i = 0; i < String(a).length; i++) {
        const x = digitOf(a, i);
        const y = i < String(b).length ? [digitOf(b, i)] : [];
        // The last column never borrows: the task has no negative answers.
        const borrow = x - carry < (y[0] ?? 0);
        const top = borrow ? 10 + x : x;
        steps.push(`${[top, ...(carry ? [carry] : []), ...y].join('-')}=${top - carry - (y[0] ?? 0)}.`);
        carry = borrow ? 1 : 0;
    }
    return steps;
}
