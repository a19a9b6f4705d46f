/**
 * The well-formed UTF-8 sequence that starts at `at` (Unicode's table 3-7: no overlong forms, no surrogates, nothing
 * above U+10FFFF), or undefined when the byte there starts none or the sequence is cut short, by another byte or by
 * the end of `bytes`.
 */
export function utf8SequenceAt(bytes: ArrayLike<number>, at: number): { length: number; codePoint: number } | undefined {
    const lead = bytes[at]!;
    if (lead < 0x80) return { length: 1, codePoint: lead };
    let length: number;
    let codePoint: number;
    // The range the second byte must fall in; later continuation bytes are always 80–BF.
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        codePoint = lead & 0x0f;
        if (lead === 0xe0) low = 0xa0;
        if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        codePoint = lead & 0x07;
        if (lead === 0xf0) low = 0x90;
        if (lead === 0xf4) high = 0x8f;
    } else {
        return undefined;
    }
    if (at + length > bytes.length) return undefined;
    for (let k = 1; k < length; k++) {
        const byte = bytes[at + k]!;
        if (byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return undefined;
        codePoint = (codePoint << 6) | (byte & 0x3f);
    }
    return { length, codePoint };
}
