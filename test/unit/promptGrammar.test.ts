// config.grammar checked as GBNF (the playground's checker) with the problem positioned in the .prompt file: the
// grammar's offset followed back through every YAML scalar style, and a grammar beside output.schema refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isScalar, parseDocument, type Scalar } from 'yaml';
import { PromptConfigError, PromptDocument, analyzePrompt, memoryPartials, preparePrompt } from '../../src/core/prompt';
import { scalarSourceOffsets } from '../../src/core/prompt/yamlScalarOffsets';

const path = '/p/grammar.prompt';

async function grammarProblem(text: string) {
    const diagnostics = await analyzePrompt(PromptDocument.fromText(text, path), { partials: memoryPartials({}) });
    const found = diagnostics.filter(d => d.code === 'invalid-grammar');
    assert.equal(found.length, 1, JSON.stringify(diagnostics));
    return found[0]!;
}

/** 1-based `line:column` of the problem in the .prompt file, and the text there. */
async function where(text: string): Promise<{ at: string; char: string }> {
    const { range } = await grammarProblem(text);
    const doc = PromptDocument.fromText(text, path);
    return { at: `${range.start.line + 1}:${range.start.character + 1}`, char: doc.text[doc.lines.offsetAt(range.start)]! };
}

describe('GBNF in config.grammar, positioned in the .prompt file', () => {
    test('a plain scalar: the undefined rule where it is referenced', async () => {
        assert.deepEqual(await where('---\nconfig:\n  grammar: root ::= answer\n---\nHi'), { at: '3:21', char: 'a' });
    });

    test('a literal block scalar: the grammar\'s third line is the file\'s seventh', async () => {
        const text = '---\nconfig:\n  temperature: 0\n  grammar: |\n    root ::= item+\n    item ::= [a-z] " "\n    bad  ::= "x" {3,1}\n---\nHi';
        const problem = await grammarProblem(text);
        assert.equal(problem.severity, 'error');
        assert.match(problem.message, /^`config.grammar` is not valid GBNF: the repetition's maximum 1 is below its minimum 3 \(line 3, column 14 of the grammar\)\.$/);
        assert.deepEqual(await where(text), { at: '7:18', char: '{' });
    });

    test('a literal block with an indentation indicator, keep chomping and CRLF line ends', async () => {
        assert.deepEqual(await where('---\r\nconfig:\r\n  grammar: |+\r\n      root ::= "a"\r\n      x ::= [z-a]\r\n\r\n---\r\nHi'), { at: '5:14', char: 'z' });
        assert.deepEqual(await where('---\nconfig:\n  grammar: |2-\n    root ::= "a" |\n      nope\n---\nHi'), { at: '5:7', char: 'n' });
    });

    test('a double-quoted scalar: escapes and \\n line breaks map back to their source', async () => {
        // The grammar is `root ::= "a"\nbad ::= "\t" zz`: `zz` sits after two escapes on the same source line.
        assert.deepEqual(await where('---\nconfig:\n  grammar: "root ::= \\"a\\"\\nbad ::= \\"\\\\t\\" zz"\n---\nHi'), { at: '3:45', char: 'z' });
    });

    test('a single-quoted scalar folded over two lines', async () => {
        assert.deepEqual(await where('---\nconfig:\n  grammar: \'root ::= "it\'\'s" |\n    other\'\n---\nHi'), { at: '4:5', char: 'o' });
    });

    test('a folded block scalar, and a grammar inside a flow mapping', async () => {
        assert.deepEqual(await where('---\nconfig:\n  grammar: >\n    root ::=\n    "a" missing\n---\nHi'), { at: '5:9', char: 'm' });
        assert.deepEqual(await where('---\nconfig: {grammar: "root ::= \\"a\\" q"}\n---\nHi'), { at: '2:35', char: 'q' });
    });

    test('an unterminated string points at its opening quote', async () => {
        assert.deepEqual(await where('---\nconfig:\n  grammar: \'root ::= "abc\'\n---\nHi'), { at: '3:22', char: '"' });
    });

    test('a valid grammar gives no diagnostic and reaches the sampling options', async () => {
        const text = '---\nconfig:\n  grammar: |\n    root ::= "yes" | "no"\n---\nHi';
        assert.deepEqual((await analyzePrompt(PromptDocument.fromText(text, path))).filter(d => d.severity === 'error'), []);
        const prepared = await preparePrompt(PromptDocument.fromText(text, path), { partials: memoryPartials({}) });
        assert.equal(prepared.sampling.grammar, 'root ::= "yes" | "no"\n');
    });

    test('a run refuses a bad grammar with a PromptConfigError at the same position', async () => {
        const text = '---\nconfig:\n  grammar: |\n    root ::= "a"\n    b ::= c\n---\nHi';
        await assert.rejects(preparePrompt(PromptDocument.fromText(text, path), { partials: memoryPartials({}) }), (error: unknown) => {
            assert.ok(error instanceof PromptConfigError);
            assert.equal(error.key, 'config.grammar');
            assert.equal(`${error.line}:${error.column}`, '5:11');
            assert.match(error.message, /^\/p\/grammar\.prompt:5:11: `config.grammar` is not valid GBNF: undefined rule "c"/);
            return true;
        });
    });

    test('grammar beside output.schema is an error at config.grammar; with format: text it is not', async () => {
        const both = '---\nconfig:\n  grammar: root ::= "x"\noutput:\n  format: json\n  schema:\n    a: string\n---\nHi';
        const diagnostics = await analyzePrompt(PromptDocument.fromText(both, path));
        assert.deepEqual(diagnostics.map(d => [d.code, d.severity, d.range.start.line + 1]), [['grammar-and-schema', 'error', 3]]);
        await assert.rejects(preparePrompt(PromptDocument.fromText(both, path)), { name: 'PromptConfigError', key: 'config.grammar' });
        const text = both.replace('format: json', 'format: text');
        assert.deepEqual((await analyzePrompt(PromptDocument.fromText(text, path))).filter(d => d.severity === 'error'), []);
    });
});

describe('scalarSourceOffsets', () => {
    const samples = [
        'v: plain text here',
        'v: plain\n  folded\n\n  twice',
        'v: \'single \'\'quoted\'\'\n  and folded\'',
        'v: "esc \\"q\\" \\t tab \\x41 \\u00e9 \\U0001F600 end"',
        'v: "line one  \n   line two\\\n   joined"',
        'v: |\n  literal\n    more\n  back\n',
        'v: |-\n  strip\n\n',
        'v: |+\n  keep\n\n',
        'v: >\n  folded\n  text\n\n  para\n    indented\n  after\n',
        'top:\n  v: |\n      deeper\n      lines\n',
    ];
    for (const source of samples) {
        test(JSON.stringify(source), () => {
            const doc = parseDocument(source);
            const node = (doc.getIn(['v'], true) ?? doc.getIn(['top', 'v'], true)) as Scalar;
            assert.ok(isScalar(node));
            const value = node.value as string;
            const offsets = scalarSourceOffsets(source, node);
            assert.ok(offsets !== undefined, `no offsets for ${JSON.stringify(value)}`);
            assert.equal(offsets.length, value.length);
            for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! >= offsets[i - 1]!, 'offsets never go back');
            // Every character that is not folding or an escape is read from exactly that source character.
            for (let i = 0; i < value.length; i++) {
                const c = value[i]!;
                const at: string = source[offsets[i]!]!;
                if (at === '\\' || at === '\n' || c === ' ' && at !== ' ') continue;
                assert.equal(at, c, `${JSON.stringify(value)}[${i}]`);
            }
        });
    }
});
