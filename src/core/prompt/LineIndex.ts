import type { TextPosition, TextRange } from './TextRange';

/** Converts between string offsets and line/character positions of one text. `\r\n`, `\r` and `\n` all end a line. */
export class LineIndex {
    /** Offset where each line starts. */
    private readonly starts: number[] = [0];

    constructor(private readonly text: string) {
        for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c === 13 /* \r */) {
                if (text.charCodeAt(i + 1) === 10) i++;
                this.starts.push(i + 1);
            } else if (c === 10 /* \n */) {
                this.starts.push(i + 1);
            }
        }
    }

    get lineCount(): number {
        return this.starts.length;
    }

    /** Offset where the zero-based `line` starts; clamped to the text. */
    lineStart(line: number): number {
        if (line <= 0) return 0;
        if (line >= this.starts.length) return this.text.length;
        return this.starts[line]!;
    }

    positionAt(offset: number): TextPosition {
        const clamped = Math.max(0, Math.min(offset, this.text.length));
        let low = 0;
        let high = this.starts.length - 1;
        while (low < high) {
            const mid = (low + high + 1) >> 1;
            if (this.starts[mid]! <= clamped) low = mid;
            else high = mid - 1;
        }
        return { line: low, character: clamped - this.starts[low]! };
    }

    offsetAt(position: TextPosition): number {
        return Math.min(this.lineStart(position.line) + Math.max(0, position.character), this.text.length);
    }

    range(start: number, end: number): TextRange {
        return { start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
    }
}
