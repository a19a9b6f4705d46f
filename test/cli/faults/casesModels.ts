// Broken model and adapter files: each refused with a message naming the file and what is wrong with it, never a
// crash of the CLI, an out-of-memory abort, or a hang on a special file.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nobody, type FaultCase, type FaultContext } from '../../support/faultHarness';
import { mkfifo } from './caseHelpers';

const runModel = (model: string, ...more: string[]) => () => ['run', '--text', 'hi', '--model', model, '--gpu', 'off', '--threads', '1', '--max-tokens', '2', '--no-history', ...more];
const modelFile = /Cannot use model file|model file/i;

/** The fixture model's bytes, changed by `edit`, written as `work/name`. */
function editedModel(ctx: FaultContext, name: string, edit: (bytes: Buffer) => Buffer): void {
    ctx.file(name, edit(readFileSync(ctx.model)));
}

/** A GGUF v3 header announcing `tensors` tensors and `keys` metadata entries, followed by nothing. */
function ggufHeader(tensors: bigint, keys: bigint): Buffer {
    const header = Buffer.alloc(24);
    header.write('GGUF', 0, 'latin1');
    header.writeUInt32LE(3, 4);
    header.writeBigUInt64LE(tensors, 8);
    header.writeBigUInt64LE(keys, 16);
    return header;
}

export const modelCases: FaultCase[] = [
    {
        name: 'a truncated GGUF (its first 64 KiB): named as truncated or damaged',
        setup: ctx => editedModel(ctx, 'cut.gguf', bytes => bytes.subarray(0, 64 * 1024)),
        args: runModel('cut.gguf'),
        expect: { code: 1, stderr: [/cut\.gguf/, /truncated|incomplete|damaged|corrupt|ends|short/i] },
    },
    {
        name: 'a GGUF with the wrong magic: named as not a GGUF file',
        setup: ctx => editedModel(ctx, 'magic.gguf', bytes => Buffer.concat([Buffer.from('GGUX'), bytes.subarray(4)])),
        args: runModel('magic.gguf'),
        expect: { code: 1, stderr: [/magic\.gguf/, /GGUF/] },
    },
    {
        name: 'a zero-byte model file: named as empty',
        setup: ctx => { ctx.file('empty.gguf', ''); },
        args: runModel('empty.gguf'),
        expect: { code: 1, stderr: [/empty\.gguf/, /empty|0 bytes|GGUF/] },
    },
    {
        name: 'a text file as the model: named as not a GGUF file',
        setup: ctx => { ctx.file('notes.gguf', 'these are my notes, not a model\n'); },
        args: runModel('notes.gguf'),
        expect: { code: 1, stderr: [/notes\.gguf/, /GGUF/] },
    },
    {
        name: 'a GGUF header announcing 2^62 tensors: refused without trying to allocate them',
        setup: ctx => { ctx.file('huge-count.gguf', ggufHeader(2n ** 62n, 1n)); },
        args: runModel('huge-count.gguf'),
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/huge-count\.gguf/, /more than the file can hold/], not: /bad_alloc|Aborted|core dumped|out of memory/i, withinMs: 15_000 },
    },
    {
        name: 'a GGUF header announcing 2^62 metadata keys: refused without trying to read them',
        setup: ctx => { ctx.file('huge-keys.gguf', ggufHeader(1n, 2n ** 62n)); },
        args: runModel('huge-keys.gguf'),
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/huge-keys\.gguf/, /more than the file can hold/], not: /bad_alloc|Aborted|core dumped|out of memory/i, withinMs: 15_000 },
    },
    {
        name: 'a GGUF header announcing 2^64 - 1 of each: refused at once, naming the counts',
        setup: ctx => { ctx.file('max-count.gguf', ggufHeader(2n ** 64n - 1n, 2n ** 64n - 1n)); },
        args: runModel('max-count.gguf'),
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/max-count\.gguf/, /more than the file can hold/], withinMs: 15_000 },
    },
    {
        name: 'a GGUF header announcing more tensors than a real model\'s file could hold: refused, not read past its end',
        setup: ctx => editedModel(ctx, 'many-tensors.gguf', bytes => {
            const edited = Buffer.from(bytes);
            edited.writeBigUInt64LE(BigInt(bytes.length), 8);
            return edited;
        }),
        args: runModel('many-tensors.gguf'),
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/many-tensors\.gguf/, /more than the file can hold/], withinMs: 15_000 },
    },
    {
        name: 'info on a GGUF header announcing 2^62 metadata keys: refused, no hang',
        setup: ctx => { ctx.file('huge-keys.gguf', ggufHeader(1n, 2n ** 62n)); },
        args: () => ['info', 'huge-keys.gguf', '--gpu', 'off'],
        timeoutMs: 20_000,
        expect: { code: 1, stderr: [/huge-keys\.gguf/, /more than the file can hold/], withinMs: 15_000 },
    },
    {
        name: 'an adapter whose header announces 2^62 tensors: refused, naming the adapter, no hang',
        setup: ctx => { ctx.file('huge-lora.gguf', ggufHeader(2n ** 62n, 1n)); },
        args: ctx => runModel(ctx.model, '--lora', 'huge-lora.gguf')(),
        timeoutMs: 30_000,
        expect: { code: 1, stderr: [/huge-lora\.gguf/, /more than the file can hold/], not: /bad_alloc|Aborted|core dumped/i, withinMs: 20_000 },
    },
    {
        name: 'the model path is a directory: named',
        setup: ctx => mkdirSync(join(ctx.work, 'model.gguf')),
        args: runModel('model.gguf'),
        expect: { code: 1, stderr: [/model\.gguf/, /folder|director/] },
    },
    {
        name: 'the model is a symbolic link loop: named',
        setup: ctx => {
            symlinkSync('b.gguf', join(ctx.work, 'a.gguf'));
            symlinkSync('a.gguf', join(ctx.work, 'b.gguf'));
        },
        args: runModel('a.gguf'),
        expect: { code: 1, stderr: [/a\.gguf/, /link|loop|ELOOP/i] },
    },
    {
        name: 'the model is a FIFO: refused, no hang',
        setup: ctx => { mkfifo(join(ctx.work, 'pipe.gguf')); },
        args: runModel('pipe.gguf'),
        timeoutMs: 30_000,
        expect: { code: 1, stderr: [/pipe\.gguf/, /FIFO|named pipe|not a regular file/], withinMs: 15_000 },
    },
    {
        name: 'the model is a symbolic link to /dev/zero: refused, no endless read',
        setup: ctx => symlinkSync('/dev/zero', join(ctx.work, 'zero.gguf')),
        args: runModel('zero.gguf'),
        timeoutMs: 30_000,
        expect: { code: 1, stderr: [/zero\.gguf/, /device|not a regular file|GGUF/], withinMs: 15_000 },
    },
    {
        name: 'a model the user may not read (chmod 000): names the file and the permission',
        setup: ctx => {
            copyFileSync(ctx.model, join(ctx.work, 'locked.gguf'));
            chmodSync(join(ctx.work, 'locked.gguf'), 0o000);
        },
        asUser: nobody,
        args: runModel('locked.gguf'),
        expect: { code: 1, stderr: [/locked\.gguf/, /permission|EACCES|cannot be read|not readable/i] },
    },
    {
        name: 'a model that does not exist: named, with how to make a test model',
        args: runModel('nowhere.gguf'),
        expect: { code: 1, stderr: [/nowhere\.gguf/, /does not exist/, /fixture-model/] },
    },
    {
        name: 'a LoRA adapter given as the model: says it is an adapter and to use --lora',
        args: ctx => runModel(ctx.lora)(),
        expect: { code: 1, stderr: [/tiny-lora\.gguf/, /adapter/, /--lora/] },
    },
    {
        name: 'an adapter made for another model\'s shape: names the adapter and the mismatch',
        args: ctx => runModel(ctx.model, '--lora', ctx.otherLora)(),
        expect: { code: 1, stderr: [/tiny-embd32-lora\.gguf/, /shape|does not fit|dimension|match|another model/i] },
    },
    {
        name: 'a model given as the adapter: says it is not an adapter',
        args: ctx => runModel(ctx.model, '--lora', ctx.otherModel)(),
        expect: { code: 1, stderr: [/tiny-embd32\.gguf/, /not an adapter|is it a model/] },
    },
    {
        name: 'a truncated adapter: named',
        setup: ctx => { ctx.file('cut-lora.gguf', readFileSync(ctx.lora).subarray(0, 4096)); },
        args: ctx => runModel(ctx.model, '--lora', 'cut-lora.gguf')(),
        expect: { code: 1, stderr: /cut-lora\.gguf/ },
    },
    {
        name: 'an adapter that is a FIFO: refused, no hang',
        setup: ctx => { mkfifo(join(ctx.work, 'pipe-lora.gguf')); },
        args: ctx => runModel(ctx.model, '--lora', 'pipe-lora.gguf')(),
        timeoutMs: 30_000,
        expect: { code: [1, 2], stderr: [/pipe-lora\.gguf/, /FIFO|named pipe|not a (regular )?file/], withinMs: 15_000 },
    },
    {
        name: 'info on a text file: names the file as not a GGUF',
        setup: ctx => { writeFileSync(join(ctx.work, 'readme.gguf'), 'hello\n'); },
        args: () => ['info', 'readme.gguf'],
        expect: { code: 1, stderr: [/readme\.gguf/, /GGUF/] },
    },
    {
        name: 'an hf: URI without a file or quantization: says what form it takes, without a network',
        args: () => ['run', '--text', 'hi', '--model', 'hf:', '--no-history'],
        timeoutMs: 30_000,
        expect: { code: [1, 2], stderr: /hf:/, withinMs: 15_000 },
    },
];
