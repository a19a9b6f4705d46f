/** A piece of a document, as indexed and as a retrieved passage shows it. */
export interface TextChunk {
    /** The chunk's text: `text.slice(start, end)` of the document, without leading or trailing white space. */
    text: string;
    /** UTF-16 offsets in the document. */
    start: number;
    end: number;
    /** 1-based lines of the document the chunk starts and ends on. */
    startLine: number;
    endLine: number;
}

export interface ChunkOptions {
    /** Most characters per chunk. Defaults to 1000. */
    size?: number;
    /** Characters the next chunk repeats from the end of the previous one, 0 to size / 2. Defaults to 150. */
    overlap?: number;
}

export const defaultChunkSize = 1000;
export const defaultChunkOverlap = 150;

/**
 * Where a chunk may end, best first: before a markdown heading, at a blank line, at a line end, after a sentence,
 * at a space. A chunk ends at the last boundary of the best kind that still leaves it at least half full, so
 * paragraphs and sections stay whole where they fit.
 */
const boundaries: readonly RegExp[] = [/\n(?=#{1,6} )/g, /\n[ \t]*\n/g, /\n/g, /[.!?。！？](?=\s)/g, /\s/g];

/**
 * Splits a text or markdown document into chunks of at most `size` characters that overlap by about `overlap`
 * characters, cutting at the best boundary available (see {@link boundaries}); a run of text with no boundary at all
 * is cut at `size`, never inside a surrogate pair. Chunks of white space only are dropped.
 *
 * A maintained splitter was considered: LangChain's RecursiveCharacterTextSplitter needs `@langchain/core` (a
 * framework) as a peer, and Chonkie's JavaScript port is a 0.0.x release; neither returns the offsets and lines a
 * passage is shown with, which this does in one pass.
 */
export function chunkText(text: string, options: ChunkOptions = {}): TextChunk[] {
    const size = options.size ?? defaultChunkSize;
    const overlap = options.overlap ?? defaultChunkOverlap;
    if (!Number.isInteger(size) || size < 20) throw new RangeError(`chunk size must be an integer of at least 20 characters; got ${size}`);
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > size / 2) throw new RangeError(`chunk overlap must be an integer from 0 to half the chunk size (${Math.floor(size / 2)}); got ${overlap}`);
    const lineStarts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    const lineOf = (offset: number) => {
        let lo = 0;
        let hi = lineStarts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (lineStarts[mid]! <= offset) lo = mid;
            else hi = mid - 1;
        }
        return lo + 1;
    };

    const chunks: TextChunk[] = [];
    let start = skipSpace(text, 0);
    while (start < text.length) {
        const end = start + size >= text.length ? text.length : cutAt(text, start, size);
        const trimmedEnd = trimEnd(text, start, end);
        if (trimmedEnd > start) {
            chunks.push({ text: text.slice(start, trimmedEnd), start, end: trimmedEnd, startLine: lineOf(start), endLine: lineOf(trimmedEnd - 1) });
        }
        if (end >= text.length) break;
        start = skipSpace(text, nextStart(text, start, end, overlap));
    }
    return chunks;
}

/** The end of a chunk starting at `start`: the last best boundary leaving it at least half of `size`. */
function cutAt(text: string, start: number, size: number): number {
    const limit = start + size;
    const window = text.slice(start, limit + 1);
    for (const boundary of boundaries) {
        let best = -1;
        for (const match of window.matchAll(boundary)) {
            const at = match.index + match[0].length;
            if (at <= size && at >= size / 2) best = at;
        }
        if (best > 0) return start + best;
    }
    // No boundary: a hard cut, moved back off a low surrogate so that no character is split.
    const code = text.charCodeAt(limit);
    return code >= 0xdc00 && code <= 0xdfff ? limit - 1 : limit;
}

/** Where the chunk after [start, end) starts: `overlap` characters back from `end`, moved to the start of a word. */
function nextStart(text: string, start: number, end: number, overlap: number): number {
    if (overlap === 0) return end;
    let at = Math.max(start + 1, end - overlap);
    // Forward to just after white space, so the overlap starts on a whole word (when one starts before `end`).
    while (at < end && !/\s/.test(text[at - 1]!)) at++;
    return at;
}

function skipSpace(text: string, at: number): number {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    return at;
}

function trimEnd(text: string, start: number, end: number): number {
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    return end;
}
