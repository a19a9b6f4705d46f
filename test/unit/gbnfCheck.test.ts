import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGbnf, formatGbnfProblem, positionAt } from '../../src/core/grammar/checkGbnf';
import { jsonishGrammar } from '../support/gbnfSamples';


function problem(text: string) {
    const result = checkGbnf(text);
    assert.equal(result.ok, false, `accepted: ${text}`);
    return result as Extract<typeof result, { ok: false }>;
}

test('valid grammars: JSON-ish, alternatives, token references, \\u escapes, multi-line bodies, CRLF', () => {
    for (const text of [
        jsonishGrammar,
        'root ::= "yes" | "no"',
        'root ::= ("yes" | "no") " " [0-9] [0-9]?',
        'root ::= item{2}\nitem ::= [a-z]{1,3} "\\u00e9" [\\-\\]x] .',
        'root ::= "a" |\n  "b" # trailing comment\n',
        'root ::= "a"\r\nb-2 ::= "\\x41"\r\n',
        'root ::= <[12]> !<[3]> "é😀" [^\\n]*',
        '# only a comment line\n\nroot ::= x\nx ::= "x"{0,}',
    ]) {
        const result = checkGbnf(text);
        assert.ok(result.ok, `${text}: ${result.ok ? '' : formatGbnfProblem(result)}`);
    }
    const json = checkGbnf(jsonishGrammar);
    assert.ok(json.ok);
    assert.deepEqual(json.rules, ['root', 'value', 'object', 'array', 'string', 'number', 'ws']);
});

test('unterminated string: positioned at its opening quote', () => {
    const p = problem('root ::= "yes" | "no\n');
    assert.deepEqual([p.line, p.column], [1, 18]);
    assert.match(p.message, /unterminated string/);
    assert.equal(formatGbnfProblem(p), `1:18 ${p.message}`);
    const second = problem('root ::= a\na ::= "x" "unterminated');
    assert.deepEqual([second.line, second.column], [2, 11]);
});

test('bad ranges and classes', () => {
    const reversed = problem('root ::= [z-a]');
    assert.deepEqual([reversed.line, reversed.column], [1, 11]);
    assert.match(reversed.message, /empty range "z-a"/);
    assert.match(problem('root ::= [a-z').message, /unterminated character class/);
    assert.equal(problem('root ::= [a-z').column, 10);
    assert.match(problem('root ::= [\\q]').message, /unknown escape "\\q"/);
    assert.match(problem('root ::= "\\x4"').message, /2 hex digits/);
    // `-` before `]` is a literal dash, not a range.
    assert.ok(checkGbnf('root ::= [a-]').ok);
});

test('undefined rule: positioned at its first reference; missing root', () => {
    const undefinedRule = problem('root ::= greeting " " name\ngreeting ::= "hi"\n');
    assert.deepEqual([undefinedRule.line, undefinedRule.column], [1, 23]);
    assert.match(undefinedRule.message, /undefined rule "name"/);
    const noRoot = problem('start ::= "a"\n');
    assert.match(noRoot.message, /no "root" rule/);
    assert.match(problem('# nothing\n').message, /no rules/);
});

test('structure: ::=, names, groups, repetitions, one rule per line', () => {
    const underscore = problem('root ::= my_rule\nmy_rule ::= "a"');
    assert.deepEqual([underscore.line, underscore.column], [1, 12]);
    assert.match(underscore.message, /no "_"/);
    assert.match(problem('root := "a"').message, /expecting "::="/);
    const unclosed = problem('root ::= ( "a" ');
    assert.deepEqual([unclosed.column, /unclosed group/.test(unclosed.message)], [10, true]);
    assert.match(problem('root ::= "a" )').message, /without a matching "\("/);
    assert.match(problem('root ::= * "a"').message, /needs an item before it/);
    assert.match(problem('root ::= "a"{3,1}').message, /maximum 1 is below its minimum 3/);
    assert.match(problem('root ::= "a"{x}').message, /expecting a number/);
    assert.match(problem('root ::= "a"{2001}').message, /at most 2000/);
    // A body continues over a line break only after `|` or inside a group.
    const broken = problem('root ::= "a"\n  "b"');
    assert.equal(broken.line, 2);
    assert.match(problem('root ::= "a" @').message, /unexpected "@"/);
});

test('positionAt counts lines and UTF-16 columns', () => {
    assert.deepEqual(positionAt('ab\ncd', 4), { line: 2, column: 2 });
    assert.deepEqual(positionAt('a\r\nb', 3), { line: 2, column: 1 });
    assert.deepEqual(positionAt('x', 0), { line: 1, column: 1 });
});

test('left recursion: found before anything runs, positioned at the reference that starts the cycle, the cycle named', async () => {
    const { leftRecursiveGrammars, acceptedGrammars } = await import('../support/gbnfSamples');
    for (const grammar of leftRecursiveGrammars) assert.match(problem(grammar).message, /^left recursion: /, grammar);
    for (const grammar of acceptedGrammars) assert.ok(checkGbnf(grammar).ok, grammar);
    const direct = problem('root ::= root "a" | "b"');
    assert.deepEqual([direct.line, direct.column], [1, 10]);
    assert.match(direct.message, /^left recursion: "root" can begin with itself \(root → root\), which llama\.cpp refuses; .*list ::= item \(","/);
    const indirect = problem('root ::= x\nx ::= y\ny ::= x "a"');
    assert.deepEqual([indirect.line, indirect.column], [2, 7]);
    assert.match(indirect.message, /\(x → y → x\)/);
    // Rules that may match nothing are passed over, and named.
    assert.match(problem('e ::= ""\nroot ::= e root | "a"').message, /\(root → root\) \("e" may match nothing\)/);
    assert.match(problem('root ::= ws* "a"\nws ::= | " "').message, /"a repetition in root" can begin with itself .*\("ws" may match nothing\)/);
    // After a terminal, or through a bounded repetition, it is no left recursion.
    assert.ok(checkGbnf('root ::= "(" root ")" | "x"').ok);
    assert.ok(checkGbnf('root ::= ws{0,3} "a"\nws ::= | " "').ok);
});
