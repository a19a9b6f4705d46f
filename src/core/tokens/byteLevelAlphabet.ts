/**
 * GPT-2's byte-level alphabet (`bytes_to_unicode`), which byte-level BPE vocabularies (Llama 3, Qwen 2, GPT-2, …) spell
 * their pieces in: printable Latin-1 bytes stand for themselves, the other 68 bytes (controls, space, DEL, NBSP, soft
 * hyphen) for U+0100 onwards in byte order, so a space is `Ġ` (U+0120) and a line feed `Ċ` (U+010A). llama.cpp's
 * unicode_byte_to_utf8_map is the same table.
 */
let byteOfCodePoint: ReadonlyMap<number, number> | undefined;

function printsAsItself(byte: number): boolean {
    return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

/** The byte a code point of a byte-level piece stands for, or undefined when it is outside the alphabet. */
export function byteLevelByte(codePoint: number): number | undefined {
    if (byteOfCodePoint === undefined) {
        const table = new Map<number, number>();
        let shifted = 0;
        for (let byte = 0; byte < 256; byte++) {
            if (printsAsItself(byte)) table.set(byte, byte);
            else table.set(256 + shifted++, byte);
        }
        byteOfCodePoint = table;
    }
    return byteOfCodePoint.get(codePoint);
}
