import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBoundedText } from '../../src/core/files/readBoundedText';
import { firstInvalidUtf8 } from '../../src/core/files/decodeUtf8';
import { FileTooLargeError } from '../../src/shared/errors/FileTooLargeError';
import { InvalidUtf8Error } from '../../src/shared/errors/InvalidUtf8Error';
import { NotARegularFileError } from '../../src/shared/errors/NotARegularFileError';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import { maxFileBytes, maxPromptFileBytes } from '../../src/shared/limits';

const folder = mkdtempSync(join(tmpdir(), 'promptscope-bounded-'));

/** Fails the test if `promise` has not settled within `ms`: a reader that blocks on a FIFO or device never would. */
async function settlesWithin<T>(promise: Promise<T>, ms = 2000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms); });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        clearTimeout(timer);
    }
}

describe('readBoundedText', () => {
    test('reads a regular file as UTF-8, byte-order mark kept', async () => {
        const file = join(folder, 'ok.prompt');
        writeFileSync(file, '\uFEFFhällo\n');
        assert.equal(await readBoundedText(file, 'prompt'), '\uFEFFhällo\n');
    });

    test('a FIFO (mkfifo) is refused before it is opened: no writer is waited for', async () => {
        const fifo = join(folder, 'pipe.prompt');
        execFileSync('mkfifo', [fifo]);
        const error = await settlesWithin(readBoundedText(fifo, 'partial').then(() => undefined, (e: unknown) => e));
        assert.ok(error instanceof NotARegularFileError);
        assert.equal(error.path, fifo);
        assert.equal(error.kind, 'partial');
        assert.equal(error.message, `Cannot read the partial ${fifo}: it is a FIFO (named pipe), not a regular file. Replace it with a plain text file.`);
    });

    test('a symbolic link to /dev/zero is refused without reading, naming the link\'s target', async () => {
        const link = join(folder, '_zero.prompt');
        symlinkSync('/dev/zero', link);
        const error = await settlesWithin(readBoundedText(link, 'partial').then(() => undefined, (e: unknown) => e));
        assert.ok(error instanceof NotARegularFileError);
        assert.match(error.message, /the partial .*_zero\.prompt: it is a character device \(through the symbolic link to \/dev\/zero\), not a regular file/);
    });

    test('a folder and a socket are refused', async () => {
        const dir = join(folder, 'dir.jsonl');
        mkdirSync(dir);
        await assert.rejects(readBoundedText(dir, 'history'), (e: unknown) => e instanceof NotARegularFileError && e.actual === 'a folder'
            && e.message.startsWith(`Cannot read the run-history file ${dir}: it is a folder`));
        const socketPath = join(folder, 's.csv');
        const server = createServer();
        await new Promise<void>(resolve => server.listen(socketPath, resolve));
        try {
            await assert.rejects(readBoundedText(socketPath, 'dataset'), (e: unknown) => e instanceof NotARegularFileError && e.actual === 'a socket');
        } finally {
            server.close();
        }
    });

    test('a file at exactly the limit is read; one byte more is FileTooLargeError stating size, kind and limit', async () => {
        const exact = join(folder, 'exact.gbnf');
        writeFileSync(exact, 'x'.repeat(100));
        assert.equal((await readBoundedText(exact, 'grammar', { maxBytes: 100 })).length, 100);
        appendFileSync(exact, 'y');
        const error = await readBoundedText(exact, 'grammar', { maxBytes: 100 }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof FileTooLargeError);
        assert.deepEqual([error.size, error.limit, error.kind], [101, 100, 'grammar']);
        assert.equal(error.message, `Cannot read the grammar file ${exact}: it is 101 bytes, over the 100 bytes limit for a grammar file. Use a smaller file.`);
    });

    test('the default limit is the kind\'s: a prompt of 4 MiB is read, 4 MiB + 1 is refused', async () => {
        assert.equal(maxFileBytes.prompt, maxPromptFileBytes);
        const file = join(folder, 'big.prompt');
        writeFileSync(file, Buffer.alloc(maxPromptFileBytes, 'a'));
        assert.equal((await readBoundedText(file, 'prompt')).length, maxPromptFileBytes);
        appendFileSync(file, 'a');
        await assert.rejects(readBoundedText(file, 'prompt'), (e: unknown) => e instanceof FileTooLargeError
            && /it is 4,194,305 bytes \(4 MiB\), over the 4,194,304 bytes \(4 MiB\) limit for a prompt file/.test(e.message));
    });

    test('bytes are counted as read, not trusted from stat: a file larger than it said stops at limit + 1', { skip: process.platform !== 'linux' }, async () => {
        // /proc files stat as 0 bytes and then read as many: the case of a file that grows between stat and read.
        const error = await readBoundedText('/proc/self/maps', 'history', { maxBytes: 10 }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof FileTooLargeError);
        assert.equal(error.size, 11, 'read one byte past the limit, no more');
    });

    test('a missing file is the file system\'s ENOENT, for the caller to word', async () => {
        await assert.rejects(readBoundedText(join(folder, 'gone.prompt'), 'prompt'), { code: 'ENOENT' });
    });

    test('invalid UTF-8 is an InvalidUtf8Error naming the file, the byte, its offset and line; never U+FFFD', async () => {
        const latin1 = join(folder, 'latin1.prompt');
        writeFileSync(latin1, Buffer.from('ok\nCaf\xe9 cr\xe8me\n', 'latin1'));
        await assert.rejects(readBoundedText(latin1, 'prompt'), (error: unknown) => error instanceof InvalidUtf8Error
            && error.path === latin1 && error.offset === 6 && error.line === 2 && error.byte === 0xe9
            && error.message.includes(latin1) && /0xE9 at offset 6, line 2/.test(error.message) && /Latin-1/.test(error.message));
        const utf16 = join(folder, 'utf16.csv');
        writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('q,expected\n', 'utf16le')]));
        await assert.rejects(readBoundedText(utf16, 'dataset'), (error: unknown) => error instanceof InvalidUtf8Error && error.offset === 0 && /UTF-16/.test(error.message));
        // The run history, written by this project, keeps a line torn mid-character readable around it.
        const history = join(folder, 'torn.jsonl');
        writeFileSync(history, Buffer.concat([Buffer.from('{"a":"\u00e9"}\n{"b":"'), Buffer.from([0xc3])]));
        assert.match(await readBoundedText(history, 'history'), /^\{"a":"é"\}\n\{"b":"\uFFFD$/);
    });

    test('firstInvalidUtf8 follows RFC 3629: overlong forms, surrogates, code points past U+10FFFF and cut sequences are invalid', () => {
        const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
        assert.equal(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80), 10);
        assert.equal(at(0x61, 0xc0, 0xaf), 1);
        assert.equal(at(0xe0, 0x80, 0xaf), 0);
        assert.equal(at(0x61, 0xed, 0xa0, 0x80), 1);
        assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0);
        assert.equal(at(0x61, 0x62, 0xe2, 0x82), 2);
        assert.equal(at(0x80), 0);
    });

    test('the errors keep their class and fields across a channel', () => {
        const revived = reviveError(serializeError(new FileTooLargeError('/w/d.csv', 'dataset', 10, 5)));
        assert.ok(revived instanceof FileTooLargeError);
        assert.deepEqual([revived.path, revived.size, revived.limit], ['/w/d.csv', 10, 5]);
        assert.ok(reviveError(serializeError(new NotARegularFileError('/w/p', 'prompt', 'a folder'))) instanceof NotARegularFileError);
        const utf8 = reviveError(serializeError(new InvalidUtf8Error('/w/p.prompt', 'prompt', 3, 1, 0xe9, undefined)));
        assert.ok(utf8 instanceof InvalidUtf8Error);
        assert.deepEqual([utf8.path, utf8.offset, utf8.line, utf8.byte], ['/w/p.prompt', 3, 1, 0xe9]);
    });
});
