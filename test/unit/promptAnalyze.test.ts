import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Dotprompt } from 'dotprompt';
import {
    PromptDocument, analyzePrompt, diagnosticCodes, knownHelpers, memoryPartials, type DiagnosticCode, type PartialLookup, type PromptDiagnostic,
} from '../../src/core/prompt';
import { NotARegularFileError } from '../../src/shared/errors/NotARegularFileError';
import { maxTemplateNesting } from '../../src/shared/limits';

const inMemory = memoryPartials({
    persona: 'a {{mood}} guide',
    card: 'Card {{title}} for {{owner}}',
    broken: 'ok\n{{#if x}}',
    nested: 'outer {{> missingInner}}',
    helpful: '{{shout x}}',
    loopA: 'a then\n{{> loopB}}',
    loopB: 'b then {{> loopA}}',
    tree: '{{name}}{{#each children}}{{> tree}}{{/each}}',
    zeroed: 'text\0more',
});
/** The memory partials, and `devzero`, which fails to read as a partial linked to /dev/zero does. */
const partials: PartialLookup = name => name === 'devzero'
    ? Promise.reject(new NotARegularFileError('/p/_devzero.prompt', 'partial', 'a character device (through the symbolic link to /dev/zero)'))
    : inMemory(name);

async function analyze(text: string): Promise<PromptDiagnostic[]> {
    return analyzePrompt(PromptDocument.fromText(text, '/p/test.prompt'), { partials });
}

/** `code@line:col` (1-based) of each diagnostic. */
function summary(diagnostics: PromptDiagnostic[]): string[] {
    return diagnostics.map(d => `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}`);
}

/** One prompt per diagnostic kind, with where the diagnostic must be. */
const cases: { code: DiagnosticCode; text: string; expect: string; severity: PromptDiagnostic['severity'] }[] = [
    { code: 'front-matter-unclosed', severity: 'error', text: '---\nmodel: x\nHello', expect: '1:1' },
    { code: 'yaml-syntax', severity: 'error', text: '---\nconfig:\n  temperature: [1\nname: x\n---\nHi', expect: '4:1' },
    { code: 'yaml-warning', severity: 'warning', text: '---\n%FOO bar\n---\nmodel: x\n---\nHi', expect: '2:1' },
    { code: 'front-matter-not-mapping', severity: 'error', text: '---\njust a string\n---\nHi', expect: '2:1' },
    { code: 'unknown-front-matter-key', severity: 'warning', text: '---\nmodel: x\ncolour: red\n---\nHi', expect: '3:1' },
    { code: 'invalid-front-matter-value', severity: 'error', text: '---\nmodel: [a, b]\n---\nHi', expect: '2:8' },
    { code: 'config-not-mapping', severity: 'error', text: '---\nconfig: hot\n---\nHi', expect: '2:9' },
    { code: 'unknown-config-key', severity: 'warning', text: '---\nconfig:\n  top_p: 0.9\n---\nHi', expect: '3:3' },
    { code: 'invalid-config-value', severity: 'error', text: '---\nconfig:\n  temperature: -1\n---\nHi', expect: '3:16' },
    { code: 'invalid-grammar', severity: 'error', text: '---\nconfig:\n  grammar: |\n    root ::= item\n    itme ::= "x"\n---\nHi', expect: '4:14' },
    { code: 'grammar-and-schema', severity: 'error', text: '---\nconfig:\n  grammar: root ::= "x"\noutput:\n  schema:\n    a: string\n---\nHi', expect: '3:3' },
    { code: 'input-schema', severity: 'error', text: '---\ninput:\n  schema:\n    topic: strng\n---\n{{topic}}', expect: '4:12' },
    { code: 'output-schema', severity: 'error', text: '---\noutput:\n  schema:\n    tags(list): string\n---\nHi', expect: '4:5' },
    { code: 'invalid-default', severity: 'error', text: '---\ninput:\n  schema:\n    n: integer\n  default:\n    n: many\n---\n{{n}}', expect: '6:8' },
    { code: 'undeclared-variable', severity: 'warning', text: '---\ninput:\n  schema:\n    topic: string\n---\n{{topic}} and {{tpoic}}', expect: '6:17' },
    { code: 'template-syntax', severity: 'error', text: '---\nmodel: x\n---\nHello {{name}', expect: '4:13' },
    { code: 'template-nesting', severity: 'error', text: `Hi\n${'{{#if a}}'.repeat(maxTemplateNesting + 1)}x${'{{/if}}'.repeat(maxTemplateNesting + 1)}`, expect: `2:${9 * maxTemplateNesting + 1}` },
    { code: 'unknown-helper', severity: 'error', text: 'Hi {{shout name}}', expect: '1:6' },
    { code: 'helper-arguments', severity: 'error', text: 'Hi {{json}}', expect: '1:6' },
    { code: 'unknown-partial', severity: 'error', text: 'Hi\n{{> nobody}}', expect: '2:5' },
    { code: 'partial-syntax', severity: 'error', text: 'Hi {{> broken}}', expect: '1:8' },
    { code: 'unreadable-partial', severity: 'error', text: 'Hi\n  {{> devzero}}', expect: '2:7' },
    { code: 'partial-cycle', severity: 'error', text: 'Hi {{> loopA}}', expect: '1:8' },
    { code: 'nul-character', severity: 'error', text: '---\nmodel: x\n---\nHi a\0b', expect: '4:5' },
    { code: 'unknown-role', severity: 'warning', text: '{{role "assistant"}}Hi', expect: '1:3' },
    { code: 'unsupported-media', severity: 'warning', text: '{{media url=pic}}', expect: '1:3' },
    { code: 'nested-promptscope-settings', severity: 'warning', text: '---\npromptscope:\n  strategy: cot\n---\nHi', expect: '2:1' },
    { code: 'unknown-promptscope-setting', severity: 'warning', text: '---\npromptscope.temperature: 1\n---\nHi', expect: '2:1' },
    { code: 'invalid-promptscope-setting', severity: 'error', text: '---\npromptscope.strategy: vibes\n---\nHi', expect: '2:23' },
];

describe('analyzePrompt', () => {
    for (const c of cases) {
        test(`${c.code} at ${c.expect}`, async () => {
            const diagnostics = await analyze(c.text);
            const found = diagnostics.filter(d => d.code === c.code);
            assert.equal(found.length, 1, `expected one ${c.code}, got ${JSON.stringify(summary(diagnostics))}`);
            assert.equal(summary(found)[0], `${c.code}@${c.expect}`);
            assert.equal(found[0]!.severity, c.severity);
            assert.ok(found[0]!.message.length > 10);
        });
    }

    test('every diagnostic kind has a case above', () => {
        assert.deepEqual(new Set(cases.map(c => c.code)), new Set(Object.keys(diagnosticCodes)));
    });

    test('a clean prompt has no diagnostics', async () => {
        const diagnostics = await analyze([
            '---',
            'config:',
            '  temperature: 0.7',
            '  stopSequences: ["\\n\\n"]',
            'input:',
            '  schema:',
            '    topic: string',
            '    items(array): string',
            '    mood?: string',
            '  default:',
            '    mood: calm',
            'output:',
            '  format: json',
            '  schema: {answer: string}',
            'promptscope.strategy: cot',
            'myapp.owner: me',
            '---',
            '{{role "system"}}You are {{> persona}}.',
            '{{role "user"}}{{topic}}',
            '{{#each items as |item|}}- {{item}} ({{@index}}, {{../topic}}){{/each}}',
            '{{#if topic}}{{json items indent=2}}{{/if}}',
            '{{#with @root}}{{anything}}{{/with}}',
        ].join('\n'));
        assert.deepEqual(summary(diagnostics), []);
    });

    test('variables read by partials at the root are checked, hash arguments count as declared', async () => {
        const diagnostics = await analyze('---\ninput:\n  default: {mood: calm}\n---\n{{> card title="x"}}');
        assert.deepEqual(summary(diagnostics), ['undeclared-variable@5:5']);
        assert.match(diagnostics[0]!.message, /Partial `card` reads `owner`/);
    });

    test('without input.schema or input.default, variables are not flagged', async () => {
        assert.deepEqual(summary(await analyze('Hello {{whoever}}')), []);
    });

    test('a schema with a wildcard declares any variable', async () => {
        assert.deepEqual(summary(await analyze('---\ninput:\n  schema:\n    (*): string\n---\n{{a}} {{b}}')), []);
    });

    test('problems inside partials point back at the {{> name}} and carry the partial location', async () => {
        const missing = await analyze('X {{> nested}}');
        assert.deepEqual(summary(missing), ['unknown-partial@1:7']);
        assert.match(missing[0]!.message, /`nested` includes `\{\{> missingInner\}\}`/);
        const helper = await analyze('X {{> helpful}}');
        assert.deepEqual(summary(helper), ['unknown-helper@1:7']);
        assert.deepEqual(helper[0]!.related?.range.start, { line: 0, character: 2 });
        const broken = await analyze('X {{> broken}}');
        assert.deepEqual(broken[0]!.related?.range.start, { line: 1, character: 0 });
    });

    test('reports all problems at once, in document order', async () => {
        const diagnostics = await analyze('---\nconfig:\n  topP: 2\n  top_k: 3\n---\n{{shout x}} {{> nobody}}');
        assert.deepEqual(summary(diagnostics), [
            'invalid-config-value@3:9', 'unknown-config-key@4:3', 'unknown-helper@6:3', 'unknown-partial@6:17',
        ]);
    });

    test('never throws, whatever the text', async () => {
        for (const text of ['', '---', '---\n---', '{{', '{{#each}}', '---\n: :\n---\n{{{{raw}}}}', '\uFEFF---\na: *nope\n---\n']) {
            await analyze(text);
        }
    });
});

test('every helper the analysis knows renders through Dotprompt', async () => {
    const dotprompt = new Dotprompt();
    const calls: Record<string, string> = {
        if: '{{#if x}}y{{/if}}', unless: '{{#unless x}}y{{/unless}}', each: '{{#each list}}{{this}}{{/each}}',
        with: '{{#with obj}}{{a}}{{/with}}', lookup: '{{lookup obj "a"}}', log: '{{log "x"}}',
        json: '{{json obj}}', role: '{{role "user"}}x', history: '{{history}}', section: '{{section "s"}}',
        media: '{{media url="u"}}', ifEquals: '{{#ifEquals a a}}y{{/ifEquals}}', unlessEquals: '{{#unlessEquals a b}}y{{/unlessEquals}}',
    };
    assert.deepEqual(new Set(Object.keys(calls)), knownHelpers);
    // Handlebars' `log` helper writes to the console; keep the test output clean.
    const { log, info } = console;
    console.log = console.info = () => {};
    try {
        for (const [name, template] of Object.entries(calls)) {
            await assert.doesNotReject(dotprompt.render(template, { input: { x: true, list: [1], obj: { a: 1 }, a: 1, b: 2 } }), name);
        }
    } finally {
        console.log = log;
        console.info = info;
    }
});

describe('analyzePrompt: partials that cannot be read, include themselves or hold NUL', () => {
    test('a partial linked to /dev/zero is a diagnostic naming it and the link, at the {{> name}}', async () => {
        const [found] = await analyze('Hi {{> devzero}}');
        assert.equal(found?.code, 'unreadable-partial');
        assert.match(found!.message, /Partial `devzero` cannot be read: .*\/p\/_devzero\.prompt: it is a character device \(through the symbolic link to \/dev\/zero\)/);
    });

    test('a loop of partials names the chain and points into the partial that closes it', async () => {
        const [found] = await analyze('Hi {{> loopA}}');
        assert.deepEqual(found?.chain, ['loopA', 'loopB', 'loopA']);
        assert.match(found!.message, /`loopA` → `loopB` → `loopA`.*remove `\{\{> loopA\}\}` from `loopB`/);
        assert.deepEqual(found!.related?.range.start, { line: 0, character: 11 });
        const self = await analyzePrompt(PromptDocument.fromText('{{> me}}', '/p/x.prompt'), { partials: memoryPartials({ me: 'again {{> me}}' }) });
        assert.deepEqual(self.map(d => [d.code, d.chain]), [['partial-cycle', ['me', 'me']]]);
    });

    test('recursion inside a block (a tree) is no error: it can end', async () => {
        assert.deepEqual(summary(await analyze('---\ninput:\n  default:\n    name: x\n    children: []\n---\n{{> tree}}')), []);
    });

    test('a NUL byte in a partial is reported at the include, with its line in the partial', async () => {
        const [found] = await analyze('Hi {{> zeroed}}');
        assert.equal(found?.code, 'nul-character');
        assert.match(found!.message, /`zeroed` holds a NUL byte at line 1, column 5/);
    });
});
