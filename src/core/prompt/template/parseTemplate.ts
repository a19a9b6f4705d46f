import Handlebars from 'handlebars/dist/cjs/handlebars.js';
import { LineIndex } from '../LineIndex';
import { maxTemplateNesting } from '../../../shared/limits';

/** A syntax error in a template, with offsets into that template. */
export interface TemplateSyntaxProblem {
    message: string;
    start: number;
    end: number;
    /** `nesting`: blocks nested deeper than {@link maxTemplateNesting}; `syntax`: anything else. */
    kind: 'syntax' | 'nesting';
}

export type TemplateParse =
    | { ok: true; ast: hbs.AST.Program }
    | { ok: false; problem: TemplateSyntaxProblem };

/**
 * The Jison lexer behind `Handlebars.parse`. Its parse errors carry the offending token's location only in
 * the lexer state (the thrown message has a caret drawing instead), and parsing is synchronous, so the
 * state read right after the throw belongs to this template.
 */
interface JisonLexer {
    matched: string;
    match: string;
    yylloc?: { first_line: number; first_column: number; last_line: number; last_column: number };
}

const tokenWords: Record<string, string> = {
    EOF: 'the end of the template',
    CLOSE: '`}}`',
    CLOSE_UNESCAPED: '`}}}`',
    OPEN: '`{{`',
    OPEN_BLOCK: '`{{#`',
    OPEN_ENDBLOCK: '`{{/…}}`',
    OPEN_INVERSE: '`{{^`',
    OPEN_INVERSE_CHAIN: '`{{else …}}`',
    INVERSE: '`{{else}}`',
    OPEN_PARTIAL: '`{{>`',
    OPEN_SEXPR: '`(`',
    CLOSE_SEXPR: '`)`',
    OPEN_BLOCK_PARAMS: '`as |…|`',
    CLOSE_BLOCK_PARAMS: '`|`',
    ID: 'a name',
    STRING: 'a string',
    NUMBER: 'a number',
    BOOLEAN: '`true`/`false`',
    UNDEFINED: '`undefined`',
    NULL: '`null`',
    DATA: 'an `@` variable',
    SEP: '`.`',
    EQUALS: '`=`',
    INVALID: 'text that is not valid inside `{{ }}`',
};

/**
 * Parses a Handlebars template as Dotprompt will, turning a syntax error into a message and a span. Blocks nested
 * deeper than {@link maxTemplateNesting} are refused first: Handlebars parses, compiles and renders them by recursion,
 * and a thousand levels overflow the stack.
 */
export function parseTemplate(template: string): TemplateParse {
    const deep = tooDeepBlock(template);
    if (deep !== undefined) return { ok: false, problem: nestingProblem(deep) };
    try {
        return { ok: true, ast: Handlebars.parse(template) };
    } catch (error) {
        // The scan counts blocks only: whatever else nests without end (subexpressions) still ends here, not in a crash.
        if (error instanceof RangeError) return { ok: false, problem: nestingProblem({ start: 0, end: Math.min(1, template.length), depth: undefined }) };
        return { ok: false, problem: { ...describeSyntaxError(template, error), kind: 'syntax' } };
    }
}

function nestingProblem(deep: { start: number; end: number; depth: number | undefined }): TemplateSyntaxProblem {
    return {
        message: `${deep.depth === undefined ? 'The template nests too deeply' : `This block is nested ${deep.depth} deep`}: `
            + `a template may nest blocks at most ${maxTemplateNesting} deep. Flatten it, e.g. compute one condition into an input variable instead of nesting \`{{#if}}\`s.`,
        start: deep.start,
        end: deep.end,
        kind: 'nesting',
    };
}

/** The first block opened deeper than {@link maxTemplateNesting}, found by a plain scan (before the recursive parser runs). */
function tooDeepBlock(template: string): { start: number; end: number; depth: number } | undefined {
    let depth = 0;
    for (const m of template.matchAll(blockTag)) {
        // `\{{` is literal text.
        if (m.index > 0 && template[m.index - 1] === '\\') continue;
        if (m[1] === '/') {
            depth = Math.max(0, depth - 1);
        } else if (++depth > maxTemplateNesting) {
            return { start: m.index, end: m.index + m[0].length, depth };
        }
    }
    return undefined;
}

function describeSyntaxError(template: string, error: unknown): Omit<TemplateSyntaxProblem, 'kind'> {
    const message = error instanceof Error ? error.message : String(error);
    const lines = new LineIndex(template);
    const lexer = (Handlebars as unknown as { Parser?: { lexer?: JisonLexer } }).Parser?.lexer;

    // Handlebars' own exceptions (mismatched block ends) carry the location of the offending node.
    const exception = error as { lineNumber?: number; column?: number; endLineNumber?: number; endColumn?: number };
    if (typeof exception.lineNumber === 'number' && typeof exception.column === 'number') {
        const start = lines.offsetAt({ line: exception.lineNumber - 1, character: exception.column });
        const end = typeof exception.endLineNumber === 'number' && typeof exception.endColumn === 'number'
            ? lines.offsetAt({ line: exception.endLineNumber - 1, character: exception.endColumn })
            : start + 1;
        const mismatch = /^(\S+) doesn't match (\S+)/.exec(message);
        return {
            message: mismatch
                ? `\`{{/${mismatch[2]}}}\` does not close the \`{{#${mismatch[1]}}}\` block opened here.`
                : message.replace(/ - \d+:\d+$/, ''),
            start,
            end: Math.max(end, start + 1),
        };
    }

    if (message.startsWith('Lexical error') && lexer !== undefined) {
        const at = lexer.matched.length;
        const opener = template.lastIndexOf('{{', at);
        if (opener >= 0 && template.startsWith('{{!--', opener) && !template.includes('--}}', opener)) {
            return { message: 'This `{{!--` comment is never closed with `--}}`.', start: opener, end: opener + 5 };
        }
        return { message: 'Unrecognized text inside `{{ }}`.', start: Math.max(0, opener), end: at + 1 };
    }

    const parse = /Expecting (.*), got '([^']+)'/.exec(message);
    if (parse !== null && lexer?.yylloc !== undefined) {
        const got = parse[2]!;
        const expected = parse[1]!.split(', ').map(s => s.replace(/'/g, ''));
        const loc = lexer.yylloc;
        if (got === 'EOF') {
            const unclosed = findUnclosedBlock(template);
            if (unclosed !== undefined) {
                return {
                    message: `The \`{{#${unclosed.name}}}\` block opened here is never closed: add \`{{/${unclosed.name}}}\`.`,
                    start: unclosed.start,
                    end: unclosed.end,
                };
            }
            return { message: 'The template ends inside an unfinished `{{ }}` expression.', start: Math.max(0, template.length - 1), end: template.length };
        }
        const start = lines.offsetAt({ line: loc.first_line - 1, character: loc.first_column });
        const end = lines.offsetAt({ line: loc.last_line - 1, character: loc.last_column });
        const wanted = [...new Set(expected.map(t => tokenWords[t]).filter(w => w !== undefined))].slice(0, 4);
        const gotWord = got === 'INVALID' ? tokenWords.INVALID : `\`${lexer.match || tokenWords[got] || got}\``;
        return {
            message: `Unexpected ${gotWord}${wanted.length > 0 ? `; expected ${wanted.join(', ')}` : ''}.`,
            start,
            end: Math.max(end, start + 1),
        };
    }

    // A shape of error this function does not know: keep Handlebars' words, point at the start.
    return { message: message.split('\n')[0]!, start: 0, end: Math.min(1, template.length) };
}

/** A block's opening (`{{#name …}}`, `{{^name}}`, `{{#> partial}}`, `{{#*inline …}}`) or closing (`{{/name}}`) tag. */
const blockTag = /\{\{~?\s*([#^/])\s*[*>]?\s*([^\s}~()]+)[^}]*\}\}/g;

/** The innermost `{{#name}}` without its `{{/name}}`, found by a plain scan (the parser gives up at EOF). */
function findUnclosedBlock(template: string): { name: string; start: number; end: number } | undefined {
    const stack: { name: string; start: number; end: number }[] = [];
    for (const m of template.matchAll(blockTag)) {
        const [, kind, name] = m;
        if (kind === '/') {
            const open = stack.map(b => b.name).lastIndexOf(name!);
            if (open >= 0) stack.length = open;
        } else {
            stack.push({ name: name!, start: m.index, end: m.index + m[0].length });
        }
    }
    return stack.at(-1);
}
