// Broken `.prompt` files: each mistake is reported at its FILE:LINE:COLUMN with what to do, before any model loads.
import { maxSamplePaths, maxTemplateNesting } from '../../../src/shared/limits';
import type { FaultCase } from '../../support/faultHarness';
import { missingModel, noModelMessage, quick } from './caseHelpers';

const render = (file: string) => () => ['render', file];

export const promptCases: FaultCase[] = [
    {
        name: 'config.grammar together with output.schema: an error (run), not a silently dropped schema',
        setup: ctx => { ctx.file('both.prompt', '---\nconfig:\n  grammar: |\n    root ::= "yes" | "no"\noutput:\n  schema:\n    answer: string\n---\nIs it?\n'); },
        args: ctx => ['run', 'both.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/both\.prompt:\d+:\d+/, /grammar/, /schema/], not: noModelMessage },
    },
    {
        name: '--grammar on a prompt with output.schema: an error naming both',
        setup: ctx => {
            ctx.file('schema.prompt', '---\noutput:\n  schema:\n    answer: string\n---\nIs it?\n');
            ctx.file('yn.gbnf', 'root ::= "yes" | "no"\n');
        },
        args: ctx => ['run', 'schema.prompt', '--grammar', 'yn.gbnf', ...missingModel(ctx)],
        expect: { code: [1, 2], stderr: [/--grammar/, /schema/], not: noModelMessage },
    },
    {
        name: 'a --grammar file with a GBNF syntax error: FILE:LINE:COLUMN, before the model loads',
        setup: ctx => { ctx.file('bad.gbnf', 'root ::= "a" | item\nitem ::= : "b"\n'); },
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--grammar', 'bad.gbnf'],
        expect: { code: [1, 2], stderr: [/bad\.gbnf:2:\d+/], not: [noModelMessage, /Failed to parse grammar/] },
    },
    {
        name: 'a GBNF grammar naming an undefined rule: named, before the model loads',
        setup: ctx => { ctx.file('undef.gbnf', 'root ::= "a" nowhere\n'); },
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--grammar', 'undef.gbnf'],
        expect: { code: [1, 2], stderr: [/undef\.gbnf/, /nowhere/], not: [noModelMessage, /Failed to parse grammar/] },
    },
    {
        name: 'config.grammar with a GBNF syntax error: the .prompt file\'s line and column',
        setup: ctx => { ctx.file('g.prompt', '---\nconfig:\n  grammar: |\n    root ::= "a" |\n    x ::= ((\n---\nhi\n'); },
        args: render('g.prompt'),
        expect: { code: 1, stderr: [/g\.prompt:[45]:\d+/] },
    },
    {
        name: 'an empty prompt file: named, with what to write',
        setup: ctx => { ctx.file('empty.prompt', ''); },
        args: ctx => ['run', 'empty.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/empty\.prompt/, /empty/], not: noModelMessage },
    },
    {
        name: 'a prompt of front matter only: named, with what to write',
        setup: ctx => { ctx.file('fm.prompt', '---\nconfig:\n  temperature: 0\n---\n'); },
        args: ctx => ['run', 'fm.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/fm\.prompt/, /template|text/], not: noModelMessage },
    },
    {
        name: 'a whitespace-only plain text prompt: named',
        setup: ctx => { ctx.file('blank.txt', '  \n\n\t\n'); },
        args: ctx => ['run', 'blank.txt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/blank\.txt/, /empty/], not: noModelMessage },
    },
    {
        name: 'a self-including partial: names the partial and the cycle, no stack overflow',
        setup: ctx => {
            ctx.file('p.prompt', 'x {{> self}}\n');
            ctx.file('_self.prompt', 'again {{> self}}\n');
        },
        args: render('p.prompt'),
        expect: { code: 1, stderr: [/_self\.prompt/, /includes itself/], not: /Maximum call stack/ },
    },
    {
        name: 'two partials including each other: names the cycle',
        setup: ctx => {
            ctx.file('p.prompt', '{{> a}}\n');
            ctx.file('_a.prompt', 'A {{> b}}\n');
            ctx.file('_b.prompt', 'B {{> a}}\n');
        },
        args: render('p.prompt'),
        expect: { code: 1, stderr: [/`a`|_a\.prompt/, /`b`|_b\.prompt/, /includes itself|cycle|→/], not: /Maximum call stack/ },
    },
    {
        name: 'a partial that does not exist: names the file to create',
        setup: ctx => { ctx.file('p.prompt', 'hi {{> nowhere}}\n'); },
        args: render('p.prompt'),
        expect: { code: 1, stderr: [/p\.prompt:1:\d+/, /_nowhere\.prompt/] },
    },
    {
        name: 'a partial outside the workspace through ../: refused',
        setup: ctx => { ctx.file('sub/p.prompt', 'hi {{> ../../outside/sentinel}}\n'); },
        args: render('sub/p.prompt'),
        expect: { code: 1, stderr: [/p\.prompt:1:\d+/, /\.\./], not: /a file the case must never change/ },
    },
    {
        name: 'broken YAML in the front matter: names the line',
        setup: ctx => { ctx.file('yaml.prompt', '---\nconfig:\n  temperature: [0\n---\nhi\n'); },
        args: render('yaml.prompt'),
        expect: { code: 1, stderr: [/yaml\.prompt:[34]:\d+/] },
    },
    {
        name: 'front matter that is a YAML list: says it must be a mapping',
        setup: ctx => { ctx.file('list.prompt', '---\n- a\n- b\n---\nhi\n'); },
        args: render('list.prompt'),
        expect: { code: 1, stderr: [/list\.prompt:\d+:\d+/, /mapping/] },
    },
    {
        name: 'an unterminated front matter: named',
        setup: ctx => { ctx.file('open.prompt', '---\nconfig:\n  temperature: 0\nhi\n'); },
        args: render('open.prompt'),
        expect: { code: [0, 1], output: /open\.prompt/ },
    },
    {
        name: 'an unknown front-matter key: a warning naming the key and its line, the render still works',
        setup: ctx => { ctx.file('unk.prompt', '---\nbogus: 1\n---\nhi\n'); },
        args: render('unk.prompt'),
        expect: { code: 0, stderr: [/unk\.prompt:2:\d+: warning/, /bogus/] },
    },
    {
        name: 'an unknown config key (top_p): a warning suggesting topP',
        setup: ctx => { ctx.file('topp.prompt', '---\nconfig:\n  top_p: 0.5\n---\nhi\n'); },
        args: render('topp.prompt'),
        expect: { code: 0, stderr: [/topp\.prompt:3:\d+: warning/, /topP/] },
    },
    {
        name: 'config.temperature: -1 in the front matter: the line and the allowed range',
        setup: ctx => { ctx.file('temp.prompt', '---\nconfig:\n  temperature: -1\n---\nhi\n'); },
        args: render('temp.prompt'),
        expect: { code: 1, stderr: [/temp\.prompt:3:\d+/, /temperature/] },
    },
    {
        name: 'promptscope.lora naming a missing adapter: the line and the file',
        setup: ctx => { ctx.file('lora.prompt', '---\npromptscope.lora:\n  path: gone-lora.gguf\n---\nhi\n'); },
        args: ctx => ['run', 'lora.prompt', ...quick(ctx), '--no-history'],
        expect: { code: 1, stderr: [/gone-lora\.gguf/] },
    },
    {
        name: 'promptscope.lora with a scale of 1e39: refused with the bound',
        setup: ctx => { ctx.file('scale.prompt', `---\npromptscope.lora:\n  path: ${JSON.stringify(ctx.lora)}\n  scale: 1e39\n---\nhi\n`); },
        args: render('scale.prompt'),
        expect: { code: 1, stderr: [/scale\.prompt:\d+:\d+/, /100/] },
    },
    {
        name: 'an unclosed Handlebars block: the line it opens on',
        setup: ctx => { ctx.file('hbs.prompt', 'line one\n{{#if x}}\nnever closed\n'); },
        args: render('hbs.prompt'),
        expect: { code: 1, stderr: [/hbs\.prompt:2:\d+/, /\{\{\/if\}\}/] },
    },
    {
        name: 'a Handlebars syntax error (an unclosed mustache): names the line',
        setup: ctx => { ctx.file('mustache.prompt', 'one\ntwo {{name\nthree\n'); },
        args: render('mustache.prompt'),
        expect: { code: 1, stderr: [/mustache\.prompt:[23]:\d+/] },
    },
    {
        name: 'an unknown Handlebars helper: names it and lists the helpers',
        setup: ctx => { ctx.file('helper.prompt', 'hi {{shout name}}\n'); },
        args: render('helper.prompt'),
        expect: { code: 1, stderr: [/helper\.prompt:1:\d+/, /shout/, /helpers/] },
    },
    {
        name: 'a template nested 3000 blocks deep: the line of the first block too deep and the limit, never a stack overflow',
        setup: ctx => { ctx.file('deep.prompt', `${'{{#if a}}'.repeat(3000)}x${'{{/if}}'.repeat(3000)}\n`); },
        args: () => ['render', 'deep.prompt', '--input', '{"a": true}'],
        expect: { code: 1, stderr: [/deep\.prompt:1:\d+/, new RegExp(`at most ${maxTemplateNesting} deep`)], not: /Maximum call stack|RangeError/, withinMs: 10_000 },
    },
    {
        name: `a template nested exactly ${maxTemplateNesting} blocks deep (the limit): renders`,
        setup: ctx => { ctx.file('limit.prompt', `${'{{#if a}}'.repeat(maxTemplateNesting)}x${'{{/if}}'.repeat(maxTemplateNesting)}\n`); },
        args: () => ['render', 'limit.prompt', '--input', '{"a": true}', '--json'],
        expect: { code: 0, stdout: /"text": "x\\n"/ },
    },
    {
        name: 'a partial nested 3000 blocks deep (run): the partial\'s file and line, before the model loads',
        setup: ctx => {
            ctx.file('p.prompt', 'Intro\n{{> deep}}\n');
            ctx.file('_deep.prompt', `one\n${'{{#each xs}}'.repeat(3000)}x${'{{/each}}'.repeat(3000)}\n`);
        },
        args: ctx => ['run', 'p.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/_deep\.prompt:2:\d+/, new RegExp(`at most ${maxTemplateNesting} deep`)], not: [noModelMessage, /Maximum call stack/] },
    },
    {
        name: `promptscope.samples: 1000 (over ${maxSamplePaths} paths): the line and the limit, before the model loads`,
        setup: ctx => { ctx.file('many.prompt', '---\npromptscope.strategy: self-consistency\npromptscope.samples: 1000\n---\nhi\n'); },
        args: ctx => ['run', 'many.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/many\.prompt:3:\d+/, new RegExp(`1 to ${maxSamplePaths}`)], not: noModelMessage },
    },
    {
        name: 'a missing required input variable: names the variable',
        setup: ctx => { ctx.file('need.prompt', '---\ninput:\n  schema:\n    topic: string\n---\nAbout {{topic}}\n'); },
        args: ctx => ['run', 'need.prompt', ...missingModel(ctx)],
        expect: { code: [1, 2], stderr: [/need\.prompt/, /topic/], not: noModelMessage },
    },
    {
        name: '--input that is not JSON: a usage error naming --input',
        setup: ctx => { ctx.file('need.prompt', '---\ninput:\n  schema:\n    topic: string\n---\nAbout {{topic}}\n'); },
        args: ctx => ['run', 'need.prompt', '--input', '{topic: cats}', ...missingModel(ctx)],
        expect: { code: 2, stderr: /--input/, not: noModelMessage },
    },
    {
        name: '--input that is a JSON array: a usage error naming --input',
        setup: ctx => { ctx.file('need.prompt', '---\ninput:\n  schema:\n    topic: string\n---\nAbout {{topic}}\n'); },
        args: ctx => ['run', 'need.prompt', '--input', '["cats"]', ...missingModel(ctx)],
        expect: { code: 2, stderr: [/--input/, /object/], not: noModelMessage },
    },
    {
        name: 'an output.schema that is not a schema (type: 5): named with its line',
        setup: ctx => { ctx.file('schema.prompt', '---\noutput:\n  format: json\n  schema:\n    type: 5\n---\nhi\n'); },
        args: ctx => ['run', 'schema.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: /schema\.prompt/ },
    },
    {
        name: 'config.maxOutputTokens of a billion: runs, bounded by the context, never hangs',
        setup: ctx => { ctx.file('huge.prompt', '---\nconfig:\n  maxOutputTokens: 1000000000\n  temperature: 0\n---\nhi\n'); },
        args: ctx => ['run', 'huge.prompt', '--model', ctx.model, '--gpu', 'off', '--threads', '1', '--context-size', '64', '--no-history', '--json'],
        timeoutMs: 60_000,
        expect: { code: [0, 1], output: /stopReason|context/ },
    },
];
