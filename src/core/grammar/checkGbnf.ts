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
 * Two checks are stricter than llama.cpp, which accepts these but can never match them: a reversed range
 * (`[z-a]`) and a repetition whose maximum is below its minimum (`{3,1}`). Not checked (llama.cpp rejects them when
 * the grammar is used): left recursion, whether a `<token>` is one token of the model's vocabulary, and the
 * repetition expansion limit.
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

class Parser {
    private pos = 0;
    /** Defined rule → offset of its name. */
    readonly defined = new Map<string, number>();
    /** Referenced rule → offset of its first reference. */
    readonly referenced = new Map<string, number>();

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
        this.alternatives(false);
        const c = this.peek();
        if (c === '\r') this.pos += this.text[this.pos + 1] === '\n' ? 2 : 1;
        else if (c === '\n') this.pos++;
        else if (c === ')') this.fail('")" without a matching "("');
        else if (c !== undefined) this.fail(`unexpected ${describe(c)}: expecting a string, a character class, a rule name, a group, "|" or the end of the line`);
        this.space(true);
    }

    private alternatives(nested: boolean): void {
        this.sequence(nested);
        while (this.peek() === '|') {
            this.pos++;
            this.space(true);
            this.sequence(nested);
        }
    }

    private sequence(nested: boolean): void {
        let hasItem = false;
        for (;;) {
            const c = this.peek();
            if (c === undefined) return;
            const start = this.pos;
            if (c === '"') {
                this.pos++;
                while (this.peek() !== '"') {
                    if (this.peek() === undefined) this.fail('unterminated string literal: no closing \'"\'', start);
                    this.char();
                }
                this.pos++;
                hasItem = true;
            } else if (c === '[') {
                this.charClass();
                hasItem = true;
            } else if (c === '<' || c === '!') {
                this.token();
                hasItem = true;
            } else if (isWordChar(c)) {
                const name = this.name();
                if (this.peek() === '_') this.fail('rule names may hold letters, digits and "-" only (no "_")');
                if (!this.referenced.has(name)) this.referenced.set(name, start);
                hasItem = true;
            } else if (c === '(') {
                this.pos++;
                this.space(true);
                this.alternatives(true);
                if (this.peek() !== ')') this.fail(this.peek() === undefined ? 'unclosed group: no ")" for this "("' : `expecting ")" to close the group, found ${describe(this.peek())}`, this.peek() === undefined ? start : this.pos);
                this.pos++;
                hasItem = true;
            } else if (c === '.') {
                this.pos++;
                hasItem = true;
            } else if (c === '*' || c === '+' || c === '?') {
                if (!hasItem) this.fail(`"${c}" needs an item before it to repeat`);
                this.pos++;
            } else if (c === '{') {
                if (!hasItem) this.fail('"{" needs an item before it to repeat');
                this.repetition();
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

    private repetition(): void {
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
    return { ok: true, rules: [...parser.defined.keys()] };
}

/** `line:column message`, as the playground shows it. */
export function formatGbnfProblem(problem: GbnfProblem): string {
    return `${problem.line}:${problem.column} ${problem.message}`;
}
