// Files the CLI reads that a workspace can name (prompts, partials, variants, datasets, grammars): bounded, never
// blocking on a FIFO or a device, and every mistake named with its file and line or row.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { maxDatasetFileBytes, maxGrammarFileBytes, maxPartialFileBytes, maxPromptFileBytes } from '../../../src/shared/limits';
import type { FaultCase } from '../../support/faultHarness';
import { missingModel, mkfifo, noModelMessage, questionPrompt, quick, sparseFile } from './caseHelpers';

const mib = (bytes: number) => `${bytes / 1024 / 1024}`;
/** Where a limit's size may appear in a message: in MiB, KiB or bytes. */
const limitPattern = (bytes: number) => new RegExp(`${mib(bytes)}\\s*MiB|${bytes / 1024}\\s*KiB|${bytes}`);
const dataset = (ctx: Parameters<typeof quick>[0], file: string, ...more: string[]) => ['eval', questionPrompt(ctx), '--dataset', file, ...more];

export const readerCases: FaultCase[] = [
    {
        name: 'a partial that is a symbolic link to /dev/zero (render): refused at once, naming the partial',
        setup: ctx => {
            ctx.file('p.prompt', 'Before {{> zero}} after\n');
            symlinkSync('/dev/zero', join(ctx.work, '_zero.prompt'));
        },
        args: () => ['render', 'p.prompt'],
        timeoutMs: 30_000,
        expect: { code: 1, stderr: [/_zero\.prompt|`zero`/, /device|not a regular file|larger than/], withinMs: 10_000 },
    },
    {
        name: 'a partial that is a symbolic link to /dev/zero (run): refused before the model loads',
        setup: ctx => {
            ctx.file('p.prompt', 'Before {{> zero}} after\n');
            symlinkSync('/dev/zero', join(ctx.work, '_zero.prompt'));
        },
        args: ctx => ['run', 'p.prompt', ...missingModel(ctx)],
        timeoutMs: 30_000,
        expect: { code: 1, stderr: [/_zero\.prompt|`zero`/, /device|not a regular file|larger than/], not: [noModelMessage, /bad_alloc/], withinMs: 10_000 },
    },
    {
        name: 'a prompt that is a symbolic link to /dev/zero: refused at once',
        setup: ctx => symlinkSync('/dev/zero', join(ctx.work, 'zero.prompt')),
        args: ctx => ['run', 'zero.prompt', ...missingModel(ctx)],
        timeoutMs: 30_000,
        expect: { code: 1, stderr: [/zero\.prompt/, /device|not a regular file/], withinMs: 10_000 },
    },
    {
        name: 'a FIFO as the prompt: refused, no hang',
        setup: ctx => { mkfifo(join(ctx.work, 'fifo.prompt')); },
        args: ctx => ['run', 'fifo.prompt', ...missingModel(ctx)],
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/fifo\.prompt/, /FIFO|named pipe/] },
    },
    {
        name: 'a FIFO as a partial: refused, no hang',
        setup: ctx => {
            ctx.file('p.prompt', '{{> pipe}}\n');
            mkfifo(join(ctx.work, '_pipe.prompt'));
        },
        args: () => ['render', 'p.prompt'],
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/_pipe\.prompt|`pipe`/, /FIFO|named pipe/] },
    },
    {
        name: 'a FIFO as the dataset: refused, no hang',
        setup: ctx => { mkfifo(join(ctx.work, 'rows.jsonl')); },
        args: ctx => dataset(ctx, 'rows.jsonl', ...missingModel(ctx)),
        timeoutMs: 20_000,
        expect: { code: [1, 2], stderr: [/rows\.jsonl/, /FIFO|named pipe/] },
    },
    {
        name: 'a FIFO as the --grammar file: refused, no hang',
        setup: ctx => { mkfifo(join(ctx.work, 'g.gbnf')); },
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--grammar', 'g.gbnf'],
        timeoutMs: 20_000,
        expect: { code: [1, 2], stderr: [/g\.gbnf/, /FIFO|named pipe/] },
    },
    {
        name: 'a directory as the prompt',
        setup: ctx => mkdirSync(join(ctx.work, 'dir.prompt')),
        args: ctx => ['run', 'dir.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/dir\.prompt/, /folder|director/], not: noModelMessage },
    },
    {
        name: 'a directory as a partial',
        setup: ctx => {
            ctx.file('p.prompt', '{{> part}}\n');
            mkdirSync(join(ctx.work, '_part.prompt'));
        },
        args: () => ['render', 'p.prompt'],
        expect: { code: 1, stderr: [/_part\.prompt|`part`/, /folder|director/] },
    },
    {
        name: 'a directory as the dataset',
        setup: ctx => mkdirSync(join(ctx.work, 'rows.jsonl')),
        args: ctx => dataset(ctx, 'rows.jsonl', ...missingModel(ctx)),
        expect: { code: [1, 2], stderr: [/rows\.jsonl/, /folder|director/] },
    },
    {
        name: `a prompt file over the limit (${mib(maxPromptFileBytes)} MiB): refused, stating the limit`,
        setup: ctx => { sparseFile(join(ctx.work, 'huge.prompt'), maxPromptFileBytes + 1); },
        args: ctx => ['run', 'huge.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/huge\.prompt/, limitPattern(maxPromptFileBytes)], not: noModelMessage },
    },
    {
        name: `a partial over the limit (${mib(maxPartialFileBytes)} MiB): refused, naming the partial and the limit`,
        setup: ctx => {
            ctx.file('p.prompt', '{{> huge}}\n');
            sparseFile(join(ctx.work, '_huge.prompt'), maxPartialFileBytes + 1);
        },
        args: () => ['render', 'p.prompt'],
        expect: { code: 1, stderr: [/_huge\.prompt|`huge`/, limitPattern(maxPartialFileBytes)] },
    },
    {
        name: `a dataset over the limit (${mib(maxDatasetFileBytes)} MiB): refused, stating the limit`,
        setup: ctx => { sparseFile(join(ctx.work, 'huge.jsonl'), maxDatasetFileBytes + 1); },
        args: ctx => dataset(ctx, 'huge.jsonl', ...missingModel(ctx)),
        expect: { code: [1, 2], stderr: [/huge\.jsonl/, limitPattern(maxDatasetFileBytes)] },
    },
    {
        name: `a --grammar file over the limit (${mib(maxGrammarFileBytes)} MiB): refused, stating the limit`,
        setup: ctx => { sparseFile(join(ctx.work, 'huge.gbnf'), maxGrammarFileBytes + 1); },
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--grammar', 'huge.gbnf'],
        expect: { code: [1, 2], stderr: [/huge\.gbnf/, limitPattern(maxGrammarFileBytes)], not: noModelMessage },
    },
    {
        name: 'a prompt file that does not exist: named, with what to do',
        args: ctx => ['run', 'nowhere.prompt', ...missingModel(ctx)],
        expect: { code: [1, 2], stderr: [/nowhere\.prompt/, /does not exist|not found|no such/i], not: noModelMessage },
    },
    {
        name: 'a NUL byte in the prompt: names the file, line and column',
        setup: ctx => { ctx.file('nul.prompt', 'Hello\nwor\0ld\n'); },
        args: ctx => ['run', 'nul.prompt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/nul\.prompt:2:4/, /NUL/, /UTF-8/], not: noModelMessage },
    },
    {
        name: 'invalid UTF-8 in the prompt (a Latin-1 file): an error naming the file, the byte offset and line, not U+FFFD',
        setup: ctx => { ctx.file('latin1.prompt', Buffer.from('Caf\xe9 cr\xe8me\n', 'latin1')); },
        args: () => ['render', 'latin1.prompt'],
        expect: { code: 1, stderr: [/latin1\.prompt/, /not valid UTF-8/, /0xE9 at offset 3, line 1/, /Latin-1/], not: /\uFFFD/ },
    },
    {
        name: 'invalid UTF-8 in a plain-text prompt (run): refused before the model loads',
        setup: ctx => { ctx.file('latin1.txt', Buffer.from('ok\nna\xefve\n', 'latin1')); },
        args: ctx => ['run', 'latin1.txt', ...missingModel(ctx)],
        expect: { code: 1, stderr: [/latin1\.txt/, /offset 5, line 2/], not: noModelMessage },
    },
    {
        name: 'a UTF-16 prompt (with its byte-order mark): says it is UTF-16, to save it as UTF-8',
        setup: ctx => { ctx.file('utf16.prompt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hello\n', 'utf16le')])); },
        args: () => ['render', 'utf16.prompt'],
        expect: { code: 1, stderr: [/utf16\.prompt/, /UTF-16/, /Save it as UTF-8/] },
    },
    {
        name: 'invalid UTF-8 in a partial: the partial named, with the offset',
        setup: ctx => {
            ctx.file('p.prompt', 'Hi {{> latin}}\n');
            ctx.file('_latin.prompt', Buffer.from('\xabquoted\xbb\n', 'latin1'));
        },
        args: () => ['render', 'p.prompt'],
        expect: { code: 1, stderr: [/p\.prompt:1:\d+/, /_latin\.prompt/, /offset 0/] },
    },
    {
        name: 'invalid UTF-8 in a dataset: the dataset named, with the line',
        setup: ctx => { ctx.file('rows.jsonl', Buffer.from('{"q": "1 + 1", "expected": "2"}\n{"q": "caf\xe9", "expected": "x"}\n', 'latin1')); },
        args: ctx => dataset(ctx, 'rows.jsonl', ...missingModel(ctx)),
        expect: { code: [1, 2], stderr: [/rows\.jsonl/, /not valid UTF-8/, /line 2/], not: noModelMessage },
    },
    {
        name: 'invalid UTF-8 in a --grammar file: named with the flag, before the model loads',
        setup: ctx => { ctx.file('latin1.gbnf', Buffer.from('root ::= "caf\xe9"\n', 'latin1')); },
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--grammar', 'latin1.gbnf'],
        expect: { code: 2, stderr: [/--grammar/, /latin1\.gbnf/, /not valid UTF-8/], not: noModelMessage },
    },
    {
        name: 'a UTF-8 BOM before the front matter: the front matter is still read',
        setup: ctx => { ctx.file('bom.prompt', '\ufeff---\nconfig:\n  temperature: 0\n---\nHello\n'); },
        args: () => ['render', 'bom.prompt', '--json'],
        expect: { code: 0, stdout: /"temperature": 0/, not: /"text": "---/ },
    },
    {
        name: 'CRLF line ends in a .prompt: front matter and template read as with LF',
        setup: ctx => { ctx.file('crlf.prompt', '---\r\nconfig:\r\n  temperature: 0\r\n---\r\nHello {{name}}\r\n'); },
        args: () => ['render', 'crlf.prompt', '--json', '--input', '{"name": "Ada"}'],
        expect: { code: 0, stdout: [/"temperature": 0/, /Hello Ada/], not: /"text": "---/ },
    },
    {
        name: 'a dataset with a UTF-8 BOM: its first column is still found',
        setup: ctx => { ctx.file('bom.csv', '\ufeffq,expected\n1 + 1,2\n'); },
        args: ctx => dataset(ctx, 'bom.csv', ...quick(ctx), '--json', '--no-history'),
        expect: { code: 0, stdout: /"n": 1/ },
    },
    {
        name: 'a CSV dataset with a stray quote: an error naming the line, not merged rows',
        setup: ctx => { ctx.file('stray.csv', 'q,expected\n"1 + 1,2\n2 + 2,4\n'); },
        args: ctx => dataset(ctx, 'stray.csv', ...missingModel(ctx)),
        expect: { code: 1, stderr: [/stray\.csv/, /line \d+/, /quote/] },
    },
    {
        name: 'a CSV row with more fields than the header: names the line',
        setup: ctx => { ctx.file('wide.csv', 'q,expected\n1 + 1,2\n2 + 2,4,extra\n'); },
        args: ctx => dataset(ctx, 'wide.csv', ...missingModel(ctx)),
        expect: { code: 1, stderr: [/wide\.csv/, /line 3|row 2/] },
    },
    {
        name: 'a JSONL dataset with a line that is not JSON: names the line',
        setup: ctx => { ctx.file('bad.jsonl', '{"q": "1 + 1", "expected": "2"}\n{"q": oops}\n'); },
        args: ctx => dataset(ctx, 'bad.jsonl', ...missingModel(ctx)),
        expect: { code: 1, stderr: [/bad\.jsonl/, /line 2/, /JSON/] },
    },
    {
        name: 'a JSONL row that is an array, not an object: names the line',
        setup: ctx => { ctx.file('arr.jsonl', '{"q": "1 + 1", "expected": "2"}\n[1, 2]\n'); },
        args: ctx => dataset(ctx, 'arr.jsonl', ...missingModel(ctx)),
        expect: { code: 1, stderr: [/arr\.jsonl/, /line 2|row 2/, /object/] },
    },
    {
        name: 'a dataset without the expected column: names the row and the column',
        setup: ctx => { ctx.file('nocol.csv', 'q,answer\n1 + 1,2\n'); },
        args: ctx => dataset(ctx, 'nocol.csv', ...missingModel(ctx)),
        expect: { code: 1, stderr: [/nocol\.csv/, /row 1|line 2/, /expected/] },
    },
    {
        name: 'a dataset row without an input the prompt needs: names the row and the variable',
        setup: ctx => { ctx.file('noq.jsonl', '{"q": "1 + 1", "expected": "2"}\n{"question": "2 + 2", "expected": "4"}\n'); },
        args: ctx => dataset(ctx, 'noq.jsonl', ...quick(ctx), '--no-history'),
        expect: { code: 1, stderr: [/noq\.jsonl/, /row 2|line 2/, /\bq\b/] },
    },
    {
        name: 'an empty dataset: says it has no rows',
        setup: ctx => { ctx.file('empty.jsonl', ''); },
        args: ctx => dataset(ctx, 'empty.jsonl', ...missingModel(ctx)),
        expect: { code: [1, 2], stderr: [/empty\.jsonl/, /no rows|empty/i] },
    },
    {
        name: 'a CSV dataset with a header and 0 rows: says it has no rows',
        setup: ctx => { ctx.file('header.csv', 'q,expected\n'); },
        args: ctx => dataset(ctx, 'header.csv', ...missingModel(ctx)),
        expect: { code: [1, 2], stderr: [/header\.csv/, /no rows|empty/i] },
    },
    {
        name: 'a dataset row with a 200 000-character field: an error naming the file and the row (too long for the context)',
        setup: ctx => { ctx.file('long.jsonl', `${JSON.stringify({ q: 'word '.repeat(40_000), expected: '2' })}\n`); },
        args: ctx => dataset(ctx, 'long.jsonl', ...quick(ctx), '--no-history'),
        expect: { code: 1, stderr: [/long\.jsonl: row 1:/, /tokens long but the context holds/] },
    },
    {
        name: 'an ensemble variant file that does not exist: named',
        setup: ctx => { questionPrompt(ctx); },
        args: ctx => ['run', 'q.prompt', '--input', '{"q": "1"}', '--strategy', 'ensemble', '--variants', 'gone.prompt', ...missingModel(ctx)],
        expect: { code: [1, 2], stderr: [/gone\.prompt/, /does not exist|not found|no such/i] },
    },
    {
        name: 'an ensemble variant that is a FIFO: refused, no hang',
        setup: ctx => {
            questionPrompt(ctx);
            mkfifo(join(ctx.work, 'pipe.prompt'));
        },
        args: ctx => ['run', 'q.prompt', '--input', '{"q": "1"}', '--strategy', 'ensemble', '--variants', 'pipe.prompt', ...missingModel(ctx)],
        timeoutMs: 20_000,
        expect: { code: [1, 2], stderr: [/pipe\.prompt/, /FIFO|named pipe/] },
    },
    {
        name: 'the --grammar file does not exist: a usage error naming it',
        args: ctx => ['run', '--text', 'hi', ...missingModel(ctx), '--grammar', 'none.gbnf'],
        expect: { code: 2, stderr: [/--grammar/, /none\.gbnf/], not: noModelMessage },
    },
];
