/**
 * A syntax check of GBNF grammars (llama.cpp's grammar language) that says where the problem is, so an editor can
 * point at it before anything runs. It follows llama.cpp's own parser (src/llama-grammar.cpp, `llama_grammar_parser`):
 *
 * - rules `name ::= alternatives`, one per line; names are letters, digits and `-` (no `_`);
 * - a rule's body continues over line breaks only after `|` or inside `( … )`;
 * - string literals `"…"` and character classes `[…]` / `[^…]` with ranges `a-z`; escapes `\x hh`, `\u hhhh`,
 *   `\U hhhhhhhh`, `\t \r \n \\ \" \[ \] \-`;
 * - groups, `|`, `.`, repetitions `*` `+` `?` `{m}` `{m,}` `{m,n}`, token references `<[id]>` / `<tok>` / `!<…>`;
 * - `#` comments to the end of the line; every referenced rule defined; a `root` rule.
 *
 * - no left recursion (`list ::= list "," item`), which llama.cpp refuses only when the grammar is used, after the
 *   model loaded: found as llama.cpp finds it (`llama_grammar_detect_left_recursion`), on the rules its parser makes,
 *   groups and repetitions included, where a rule "may be empty" when one of its alternatives is empty.
 *
 * Two checks are stricter than llama.cpp, which accepts these but can never match them: a reversed range
 * (`[z-a]`) and a repetition whose maximum is below its minimum (`{3,1}`). Not checked (llama.cpp rejects them when
 * the grammar is used): whether a `<token>` is one token of the model's vocabulary, and the repetition expansion limit.
 *
 * Pure: no DOM, no Node, no llama.cpp.
 */

export interface GbnfProblem {
    /** 1-based line. */
    line: number;
    /** 1-based column, in UTF-16 code units of the line (what an editor's caret counts). */
    column: number;
    /** Offset in the text (0-based), e.g. for setSelectionRange. */
    offset: number;
    message: string;
}

export type GbnfCheck = { ok: true; rules: string[] } | ({ ok: false } & GbnfProblem);

/** llama.cpp's MAX_REPETITION_THRESHOLD: a larger minimum repetition is refused. */
export const maxRepetitions = 2000;

class GbnfSyntaxError extends Error {
    constructor(readonly offset: number, message: string) {
        super(message);
    }
}

const isWordChar = (c: string | undefined) => c !== undefined && /[a-zA-Z0-9-]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Where `offset` is in `text`, 1-based. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
        if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) {
            line++;
            lineStart = i + 1;
        }
    }
    return { line, column: offset - lineStart + 1 };
}

function describe(c: string | undefined): string {
    if (c === undefined) return 'the end of the grammar';
    if (c === '\n' || c === '\r') return 'a line break';
    return JSON.stringify(c);
}

/** One symbol of a rule as llama.cpp's parser lays it out: a reference to a rule (where it is written), or anything else. */
type RuleElement = { ref: string; offset: number } | 'terminal';

/** A rule's alternatives, and how messages name it: a group or a repetition makes a rule of its own, named by the rule it is in. */
interface RuleBody {
    alternatives: RuleElement[][];
    label: string;
    /** The rule the user wrote it in. */
    owner: string;
}

class Parser {
    private pos = 0;
    /** Defined rule → offset of its name. */
    readonly defined = new Map<string, number>();
    /** Referenced rule → offset of its first reference. */
    readonly referenced = new Map<string, number>();
    /** Every rule with its alternatives, the rules llama.cpp synthesizes for groups and repetitions included. */
    readonly bodies = new Map<string, RuleBody>();
    private synthesized = 0;

    constructor(private readonly text: string) {}

    /** The character at the position (a method, not a getter: TypeScript must not narrow it across moves). */
    private peek(): string | undefined {
        return this.text[this.pos];
    }

    private fail(message: string, offset = this.pos): never {
        throw new GbnfSyntaxError(offset, message);
    }

    private space(newlineOk: boolean): void {
        for (;;) {
            const c = this.peek();
            if (c === ' ' || c === '\t' || (newlineOk && (c === '\r' || c === '\n'))) this.pos++;
            else if (c === '#') {
                while (this.peek() !== undefined && this.peek() !== '\r' && this.peek() !== '\n') this.pos++;
            } else return;
        }
    }

    private name(): string {
        const start = this.pos;
        while (isWordChar(this.peek())) this.pos++;
        if (this.pos === start) {
            const c = this.peek();
            this.fail(c === '_' ? 'rule names may hold letters, digits and "-" only (no "_")' : `expecting a rule name, found ${describe(c)}`);
        }
        return this.text.slice(start, this.pos);
    }

    parse(): void {
        this.space(true);
        while (this.peek() !== undefined) this.rule();
    }

    private rule(): void {
        const start = this.pos;
        const name = this.name();
        if (this.peek() === '_') this.fail('rule names may hold letters, digits and "-" only (no "_")');
        this.space(false);
        if (!this.text.startsWith('::=', this.pos)) {
            this.fail(`expecting "::=" after the rule name "${name}", found ${describe(this.peek())}`);
        }
        if (!this.defined.has(name)) this.defined.set(name, start);
        this.pos += 3;
        this.space(true);
        // A rule defined twice is the later definition, as in llama.cpp.
        const body: RuleBody = { alternatives: [], label: name, owner: name };
        this.bodies.set(name, body);
        this.alternatives(false, body);
        const c = this.peek();
        if (c === '\r') this.pos += this.text[this.pos + 1] === '\n' ? 2 : 1;
        else if (c === '\n') this.pos++;
        else if (c === ')') this.fail('")" without a matching "("');
        else if (c !== undefined) this.fail(`unexpected ${describe(c)}: expecting a string, a character class, a rule name, a group, "|" or the end of the line`);
        this.space(true);
    }

    private alternatives(nested: boolean, body: RuleBody): void {
        this.sequence(nested, body);
        while (this.peek() === '|') {
            this.pos++;
            this.space(true);
            this.sequence(nested, body);
        }
    }

    /** A rule llama.cpp's parser would add for a group or a repetition inside `owner`. */
    private synthesize(owner: string, kind: 'group' | 'repetition', alternatives: RuleElement[][]): { ref: string; offset: number; body: RuleBody } {
        const name = `${owner}#${++this.synthesized}`;
        const body: RuleBody = { alternatives, label: `a ${kind} in ${owner}`, owner };
        this.bodies.set(name, body);
        return { ref: name, offset: this.pos, body };
    }

    private sequence(nested: boolean, body: RuleBody): void {
        let hasItem = false;
        const symbols: RuleElement[] = [];
        body.alternatives.push(symbols);
        // Where the last item's symbols start: a repetition applies to them.
        let lastItem = 0;
        for (;;) {
            const c = this.peek();
            if (c === undefined) return;
            const start = this.pos;
            if (c === '"') {
                this.pos++;
                lastItem = symbols.length;
                while (this.peek() !== '"') {
                    if (this.peek() === undefined) this.fail('unterminated string literal: no closing \'"\'', start);
                    this.char();
                    symbols.push('terminal');
                }
                this.pos++;
                hasItem = true;
            } else if (c === '[') {
                this.charClass();
                lastItem = symbols.length;
                symbols.push('terminal');
                hasItem = true;
            } else if (c === '<' || c === '!') {
                this.token();
                lastItem = symbols.length;
                symbols.push('terminal');
                hasItem = true;
            } else if (isWordChar(c)) {
                const name = this.name();
                if (this.peek() === '_') this.fail('rule names may hold letters, digits and "-" only (no "_")');
                if (!this.referenced.has(name)) this.referenced.set(name, start);
                lastItem = symbols.length;
                symbols.push({ ref: name, offset: start });
                hasItem = true;
            } else if (c === '(') {
                this.pos++;
                this.space(true);
                const group = this.synthesize(body.owner, 'group', []);
                group.offset = start;
                this.alternatives(true, group.body);
                if (this.peek() !== ')') this.fail(this.peek() === undefined ? 'unclosed group: no ")" for this "("' : `expecting ")" to close the group, found ${describe(this.peek())}`, this.peek() === undefined ? start : this.pos);
                this.pos++;
                lastItem = symbols.length;
                symbols.push({ ref: group.ref, offset: start });
                hasItem = true;
            } else if (c === '.') {
                this.pos++;
                lastItem = symbols.length;
                symbols.push('terminal');
                hasItem = true;
            } else if (c === '*' || c === '+' || c === '?') {
                if (!hasItem) this.fail(`"${c}" needs an item before it to repeat`);
                this.pos++;
                this.repeat(body.owner, symbols, lastItem, c === '+' ? 1 : 0, c === '?' ? 1 : undefined);
            } else if (c === '{') {
                if (!hasItem) this.fail('"{" needs an item before it to repeat');
                const { min, max } = this.repetition();
                this.repeat(body.owner, symbols, lastItem, min, max);
            } else {
                return;
            }
            this.space(nested);
        }
    }

    /** One character of a literal or class (an escape or a code point). */
    private char(): number {
        const start = this.pos;
        if (this.peek() === '\\') {
            const e = this.text[this.pos + 1];
            const hex = (digits: number) => {
                const body = this.text.slice(this.pos + 2, this.pos + 2 + digits);
                if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(body)) this.fail(`"\\${e}" needs ${digits} hex digits`, start);
                this.pos += 2 + digits;
                return parseInt(body, 16);
            };
            switch (e) {
                case 'x': return hex(2);
                case 'u': return hex(4);
                case 'U': return hex(8);
                case 't': this.pos += 2; return 9;
                case 'r': this.pos += 2; return 13;
                case 'n': this.pos += 2; return 10;
                case '\\': case '"': case '[': case ']': case '-':
                    this.pos += 2;
                    return e.charCodeAt(0);
                case undefined: this.fail('unexpected end of the grammar after "\\"', start);
                default: this.fail(`unknown escape "\\${e}" (known: \\x \\u \\U \\t \\r \\n \\\\ \\" \\[ \\] \\-)`, start);
            }
        }
        const point = this.text.codePointAt(this.pos)!;
        this.pos += point > 0xffff ? 2 : 1;
        return point;
    }

    private charClass(): void {
        const open = this.pos;
        this.pos++;
        if (this.peek() === '^') this.pos++;
        while (this.peek() !== ']') {
            if (this.peek() === undefined) this.fail('unterminated character class: no closing "]"', open);
            const start = this.pos;
            const first = this.char();
            if (this.peek() === '-' && this.text[this.pos + 1] !== ']') {
                if (this.text[this.pos + 1] === undefined) this.fail('unterminated character class: no closing "]"', open);
                this.pos++;
                const last = this.char();
                if (last < first) this.fail(`empty range "${this.text.slice(start, this.pos)}": its end comes before its start`, start);
            }
        }
        this.pos++;
    }

    private token(): void {
        const start = this.pos;
        if (this.peek() === '!') this.pos++;
        if (this.peek() !== '<') this.fail(`expecting "<" after "!", found ${describe(this.peek())}`);
        this.pos++;
        if (this.peek() === '[') {
            this.pos++;
            if (!isDigit(this.peek())) this.fail('expecting a token id in "<[…]>"');
            while (isDigit(this.peek())) this.pos++;
            if (this.peek() !== ']') this.fail(`expecting "]" in a token id, found ${describe(this.peek())}`);
            this.pos++;
            if (this.peek() !== '>') this.fail(`expecting ">" after a token id, found ${describe(this.peek())}`);
            this.pos++;
            return;
        }
        while (this.peek() !== undefined && this.peek() !== '>') this.pos++;
        if (this.peek() !== '>') this.fail('unterminated token reference: no closing ">"', start);
        this.pos++;
    }

    private integer(): number {
        const start = this.pos;
        if (!isDigit(this.peek())) this.fail(`expecting a number, found ${describe(this.peek())}`);
        while (isDigit(this.peek())) this.pos++;
        return Number(this.text.slice(start, this.pos));
    }

    /**
     * llama.cpp's rewrite of a repetition of `symbols[from…]` (S): S{m,n} is S m times, then a rule S' ::= S S'' |
     * chained n − m deep (S{m,} ends in S' ::= S S' |). Only the rules' first symbols matter for left recursion, and
     * every link of a bounded chain starts alike, so a chain of two links stands for any longer one.
     */
    private repeat(owner: string, symbols: RuleElement[], from: number, min: number, max: number | undefined): void {
        const item = symbols.slice(from);
        symbols.length = from;
        for (let i = 0; i < min; i++) symbols.push(...item);
        if (max === undefined) {
            const loop = this.synthesize(owner, 'repetition', []);
            loop.body.alternatives.push([...item, { ref: loop.ref, offset: loop.offset }], []);
            symbols.push({ ref: loop.ref, offset: loop.offset });
        } else if (max > min) {
            const last = this.synthesize(owner, 'repetition', [[...item], []]);
            const chain = max - min > 1 ? this.synthesize(owner, 'repetition', [[...item, { ref: last.ref, offset: last.offset }], []]) : last;
            symbols.push({ ref: chain.ref, offset: chain.offset });
        }
    }

    private repetition(): { min: number; max: number | undefined } {
        const open = this.pos;
        this.pos++;
        this.space(false);
        const min = this.integer();
        this.space(false);
        let max: number | undefined = min;
        if (this.peek() === ',') {
            this.pos++;
            this.space(false);
            max = isDigit(this.peek()) ? this.integer() : undefined;
            this.space(false);
        }
        if (this.peek() !== '}') this.fail(`expecting ${max === min ? '"," or ' : ''}"}" in the repetition, found ${describe(this.peek())}`);
        this.pos++;
        if (min > maxRepetitions) this.fail(`at most ${maxRepetitions} repetitions (llama.cpp's limit)`, open);
        if (max !== undefined && max < min) this.fail(`the repetition's maximum ${max} is below its minimum ${min}`, open);
        // llama.cpp reads a maximum beyond its limit as no maximum.
        return { min, max: max !== undefined && max > maxRepetitions ? undefined : max };
    }
}

/** Checks `text` as a GBNF grammar: the defined rules, or the first problem with its position. */
export function checkGbnf(text: string): GbnfCheck {
    const parser = new Parser(text);
    const problem = (offset: number, message: string): GbnfCheck => ({ ok: false, offset, message, ...positionAt(text, offset) });
    try {
        parser.parse();
    } catch (error) {
        if (error instanceof GbnfSyntaxError) return problem(error.offset, error.message);
        throw error;
    }
    for (const [name, offset] of parser.referenced) {
        if (!parser.defined.has(name)) return problem(offset, `undefined rule "${name}"`);
    }
    if (!parser.defined.has('root')) {
        return problem(0, parser.defined.size === 0 ? 'the grammar has no rules: start with "root ::= …"' : 'no "root" rule: the grammar starts at a rule named root');
    }
    const recursion = leftRecursion(parser.bodies);
    if (recursion !== undefined) {
        const skipped = recursion.skipped.length === 0 ? '' : ` (${recursion.skipped.map(r => `"${r}"`).join(', ')} may match nothing)`;
        return problem(recursion.offset, `left recursion: "${recursion.cycle[0]}" can begin with itself (${recursion.cycle.join(' → ')})${skipped}, which llama.cpp refuses; `
            + 'start the rule with something that matches text and repeat what follows, e.g. list ::= item ("," item)* instead of list ::= list "," item | item');
    }
    return { ok: true, rules: [...parser.defined.keys()] };
}

/**
 * The first left-recursive cycle, as llama.cpp's `llama_grammar_detect_left_recursion` finds one: from each rule,
 * follow the rule references an alternative starts with, past references to rules that may be empty (one of their
 * alternatives is empty; llama.cpp does not look further), until a rule is reached again. The cycle names the rules
 * (a group's or repetition's rule by the rule it is in); `skipped` the may-be-empty rules passed over on the way; the
 * offset is the reference that starts the cycle.
 */
function leftRecursion(bodies: ReadonlyMap<string, RuleBody>): { cycle: string[]; skipped: string[]; offset: number } | undefined {
    const mayBeEmpty = (name: string) => bodies.get(name)?.alternatives.some(a => a.length === 0) ?? false;
    /** The references an alternative of `name` can start with, each with the may-be-empty references before it. */
    const leftReferences = (name: string): { ref: string; offset: number; after: string[] }[] => {
        const out: { ref: string; offset: number; after: string[] }[] = [];
        for (const alternative of bodies.get(name)?.alternatives ?? []) {
            const after: string[] = [];
            for (const element of alternative) {
                if (element === 'terminal') break;
                out.push({ ...element, after: [...after] });
                if (!mayBeEmpty(element.ref)) break;
                after.push(element.ref);
            }
        }
        return out;
    };
    const done = new Set<string>();
    const path: { rule: string; offset: number; after: string[] }[] = [];
    const onPath = new Set<string>();
    const visit = (rule: string): { cycle: string[]; skipped: string[]; offset: number } | undefined => {
        if (onPath.has(rule)) {
            const loop = path.slice(path.findIndex(p => p.rule === rule));
            const cycle = [...loop.map(p => bodies.get(p.rule)!.label), bodies.get(rule)!.label];
            const skipped = [...new Set(loop.flatMap(p => p.after).map(r => bodies.get(r)!.label))];
            return { cycle, skipped, offset: loop[0]!.offset };
        }
        if (done.has(rule)) return undefined;
        onPath.add(rule);
        for (const reference of leftReferences(rule)) {
            path.push({ rule, offset: reference.offset, after: reference.after });
            const found = visit(reference.ref);
            if (found) return found;
            path.pop();
        }
        onPath.delete(rule);
        done.add(rule);
        return undefined;
    };
    for (const rule of bodies.keys()) {
        const found = visit(rule);
        if (found) return found;
    }
    return undefined;
}

/** `line:column message`, as the playground shows it. */
export function formatGbnfProblem(problem: GbnfProblem): string {
    return `${problem.line}:${problem.column} ${problem.message}`;
}
