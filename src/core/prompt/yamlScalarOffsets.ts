import type { Scalar } from 'yaml';

/** One UTF-16 unit of a scalar's value and the source offset it was read from. */
interface Piece {
    ch: string;
    at: number;
    /** Written as an escape: line folding must not trim it as trailing white space. */
    escaped?: boolean;
}

/**
 * For each UTF-16 unit of a YAML scalar's string value, the offset in `source` (the YAML text the node was parsed
 * from) it was read from: plain, single- and double-quoted scalars (escapes, `''`, line folding) and literal and
 * folded block scalars (indentation, folding, chomping). The result is checked against the parsed value, so it is
 * exact or undefined (a shape this reader does not follow), never wrong: callers then point at the whole value.
 */
export function scalarSourceOffsets(source: string, node: Scalar): number[] | undefined {
    const range = node.range;
    if (range == null || typeof node.value !== 'string') return undefined;
    const [start, end] = range;
    let pieces: Piece[] | undefined;
    switch (node.type) {
        case 'PLAIN': pieces = flowPieces(source, start, end, 'plain'); break;
        case 'QUOTE_SINGLE': pieces = flowPieces(source, start + 1, end - 1, 'single'); break;
        case 'QUOTE_DOUBLE': pieces = flowPieces(source, start + 1, end - 1, 'double'); break;
        case 'BLOCK_LITERAL': pieces = blockPieces(source, start, end, false); break;
        case 'BLOCK_FOLDED': pieces = blockPieces(source, start, end, true); break;
        default: return undefined;
    }
    if (pieces === undefined) return undefined;
    const value = node.value;
    // Chomping drops trailing line breaks of a block scalar: the value is then a prefix of what was read.
    if (pieces.length < value.length || pieces.slice(0, value.length).map(p => p.ch).join('') !== value) return undefined;
    return pieces.slice(0, value.length).map(p => p.at);
}

const escapes: Record<string, string> = {
    '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"',
    '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const hexLengths: Record<string, number> = { x: 2, u: 4, U: 8 };

const isBreak = (c: string | undefined) => c === '\n' || c === '\r';
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** Past the line break at `i` (`\r\n`, `\r` or `\n`). */
function skipBreak(source: string, i: number): number {
    return source[i] === '\r' && source[i + 1] === '\n' ? i + 2 : i + 1;
}

/** A flow scalar's value between `from` and `to` (quotes excluded), with YAML's line folding. */
function flowPieces(source: string, from: number, to: number, style: 'plain' | 'single' | 'double'): Piece[] | undefined {
    const out: Piece[] = [];
    let i = from;
    while (i < to) {
        const c = source[i]!;
        if (isBreak(c)) {
            // Trailing white space before a line break is not content; the break folds to a space, or to one line
            // feed per empty line after it.
            while (out.length > 0 && isBlank(out.at(-1)!.ch) && out.at(-1)!.escaped !== true) out.pop();
            const at = i;
            let breaks = 0;
            while (i < to && isBreak(source[i])) {
                i = skipBreak(source, i);
                breaks++;
                while (i < to && isBlank(source[i])) i++;
            }
            if (breaks === 1) out.push({ ch: ' ', at });
            else for (let n = 1; n < breaks; n++) out.push({ ch: '\n', at });
            continue;
        }
        if (style === 'single' && c === '\'' && source[i + 1] === '\'') {
            out.push({ ch: '\'', at: i });
            i += 2;
            continue;
        }
        if (style === 'double' && c === '\\') {
            const next = source[i + 1];
            if (isBreak(next)) {
                // An escaped line break joins the lines without a space.
                i = skipBreak(source, i + 1);
                while (i < to && isBlank(source[i])) i++;
                continue;
            }
            if (next !== undefined && escapes[next] !== undefined) {
                out.push({ ch: escapes[next]!, at: i, escaped: true });
                i += 2;
                continue;
            }
            const length = next === undefined ? undefined : hexLengths[next];
            if (length === undefined) return undefined;
            const hex = source.slice(i + 2, i + 2 + length);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) return undefined;
            for (const unit of String.fromCodePoint(parseInt(hex, 16)).split('')) out.push({ ch: unit, at: i, escaped: true });
            i += 2 + length;
            continue;
        }
        out.push({ ch: c, at: i });
        i++;
    }
    return out;
}

interface BlockLine {
    /** Offset of the line's content after the indentation. */
    contentAt: number;
    content: string;
    /** Offset of the line break ending the line (or the scalar's end). */
    breakAt: number;
    hasBreak: boolean;
    empty: boolean;
}

/** A block scalar `|…` / `>…` from its header at `start` to `end`: content lines less the detected indentation. */
function blockPieces(source: string, start: number, end: number, folded: boolean): Piece[] | undefined {
    let i = start + 1;
    while (i < end && !isBreak(source[i])) i++;
    if (i >= end) return [];
    i = skipBreak(source, i);

    const raw: { at: number; text: string; breakAt: number; hasBreak: boolean }[] = [];
    while (i < end) {
        let lineEnd = i;
        while (lineEnd < end && !isBreak(source[lineEnd])) lineEnd++;
        raw.push({ at: i, text: source.slice(i, lineEnd), breakAt: lineEnd, hasBreak: lineEnd < end });
        i = lineEnd < end ? skipBreak(source, lineEnd) : end;
    }
    const first = raw.find(line => line.text.trim() !== '');
    if (first === undefined) return [];
    const indent = first.text.length - first.text.trimStart().length;
    if (first.text.slice(0, indent).includes('\t')) return undefined;
    const lines: BlockLine[] = raw.map(line => {
        const empty = line.text.trim() === '' && line.text.length <= indent;
        return {
            contentAt: line.at + Math.min(indent, line.text.length),
            content: line.text.length > indent ? line.text.slice(indent) : '',
            breakAt: line.breakAt, hasBreak: line.hasBreak, empty,
        };
    });

    const out: Piece[] = [];
    const push = (line: BlockLine) => {
        for (let k = 0; k < line.content.length; k++) out.push({ ch: line.content[k]!, at: line.contentAt + k });
    };
    if (!folded) {
        for (const line of lines) {
            push(line);
            if (line.hasBreak) out.push({ ch: '\n', at: line.breakAt });
        }
        return out;
    }
    // Folding: a break between two text lines that are not more indented becomes a space (or, with empty lines
    // between them, one line feed per empty line); around more-indented lines every break is kept.
    const moreIndented = (line: BlockLine) => isBlank(line.content[0]);
    let previous: BlockLine | undefined;
    let emptyRun: BlockLine[] = [];
    for (const line of lines) {
        if (line.empty || line.content.trim() === '') {
            emptyRun.push(line);
            continue;
        }
        if (previous === undefined) {
            for (const empty of emptyRun) out.push({ ch: '\n', at: empty.breakAt });
        } else if (!moreIndented(previous) && !moreIndented(line)) {
            if (emptyRun.length === 0) out.push({ ch: ' ', at: previous.breakAt });
            else for (const empty of emptyRun) out.push({ ch: '\n', at: empty.breakAt });
        } else {
            out.push({ ch: '\n', at: previous.breakAt });
            for (const empty of emptyRun) out.push({ ch: '\n', at: empty.breakAt });
        }
        emptyRun = [];
        push(line);
        previous = line;
    }
    if (previous?.hasBreak === true) out.push({ ch: '\n', at: previous.breakAt });
    for (const empty of emptyRun) if (empty.hasBreak) out.push({ ch: '\n', at: empty.breakAt });
    return out;
}
