import { InvalidUtf8Error } from '../../shared/errors/InvalidUtf8Error';
import type { ReadFileKind } from '../../shared/limits';

// ignoreBOM keeps a byte-order mark in the text, as on disk: callers that care strip it themselves.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The bytes of `path` as UTF-8 text. Invalid UTF-8 is an {@link InvalidUtf8Error} naming the file, the first bad byte's
 * offset and line; except in the run history, which this project writes itself, where a line torn mid-character by a
 * crash is skipped by the reader and must not make the rest of the day's runs unreadable.
 */
export function decodeUtf8(bytes: Uint8Array, path: string, kind: ReadFileKind): string {
    if (kind === 'history') return lenient.decode(bytes);
    try {
        return strict.decode(bytes);
    } catch {
        const offset = firstInvalidUtf8(bytes);
        let line = 1;
        for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
        const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe || bytes[0] === 0xfe && bytes[1] === 0xff;
        const likely = utf16 ? 'UTF-16 text' : bytes[offset]! >= 0xa0 ? 'Latin-1 or Windows-1252 text' : undefined;
        throw new InvalidUtf8Error(path, kind, offset, line, bytes[offset] ?? 0, likely);
    }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or the length when all do. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.length) {
        const lead = bytes[i]!;
        if (lead < 0x80) {
            i++;
            continue;
        }
        const trailing = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
        if (trailing === 0) return i;
        // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
        const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
        const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
        for (let k = 1; k <= trailing; k++) {
            const next = bytes[i + k];
            if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
        }
        i += trailing + 1;
    }
    return bytes.length;
}
