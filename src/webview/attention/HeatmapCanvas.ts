import { visibleText } from '../tokenProbabilities/displayText';
import { matrixPixels } from './colorMap';
import { cellAt, fitLabel, heatmapGeometry, moveCursor, type HeatmapGeometry } from './heatmapGeometry';
import type { ContrastScale } from '../../shared/protocols/attention';
import { editorFont, themeColor } from './themeColors';

export interface Cell {
    query: number;
    key: number;
}

/**
 * The query × key heatmap on a canvas. Cells are drawn from numbers (ImageData scaled without smoothing); the only
 * model text on the canvas is the token labels, drawn with fillText, which paints glyphs and cannot run anything.
 * Focusable: arrow keys move a cursor over the causal cells, Enter pins the cursor's query for the token view.
 */
export class HeatmapCanvas {
    readonly element: HTMLCanvasElement;
    private geometry: HeatmapGeometry = heatmapGeometry(0);
    private cursor: Cell | undefined;
    private pinned: number | undefined;
    /** The matrix and labels as last drawn, so moving the cursor repaints without recolouring every cell. */
    private base: HTMLCanvasElement | undefined;

    constructor(private readonly onCursor: (cell: Cell | undefined) => void, private readonly onPick: (query: number) => void) {
        this.element = document.createElement('canvas');
        this.element.className = 'heatmap';
        this.element.tabIndex = 0;
        this.element.setAttribute('role', 'img');
        this.element.addEventListener('mousemove', event => this.setCursor(this.cellOf(event)));
        this.element.addEventListener('mouseleave', () => this.setCursor(undefined));
        this.element.addEventListener('click', event => {
            const cell = this.cellOf(event);
            if (cell !== undefined) this.onPick(cell.query);
        });
        this.element.addEventListener('keydown', event => this.onKey(event));
    }

    /** Renders the matrix and labels into an offscreen base image; cursor and pinned row are painted over it. */
    draw(matrix: readonly (readonly number[])[], tokens: readonly string[], contrast: ContrastScale, pinnedQuery: number | undefined, label: string): void {
        const n = matrix.length;
        const geometry = heatmapGeometry(n);
        this.geometry = geometry;
        this.pinned = pinnedQuery;
        if (this.cursor !== undefined && this.cursor.query >= n) this.cursor = undefined;
        const canvas = this.element;
        canvas.width = canvas.height = Math.max(1, geometry.size);
        canvas.style.width = `${geometry.size}px`;
        canvas.setAttribute('aria-label', `${label}: attention of ${n} query tokens (rows) over key tokens (columns). Arrow keys move between cells.`);
        const base = document.createElement('canvas');
        base.width = base.height = canvas.width;
        this.base = base;
        const ctx = base.getContext('2d');
        if (ctx === null || n === 0) return;
        ctx.fillStyle = themeColor('--vscode-editor-background', '#1e1e1e');
        ctx.fillRect(0, 0, base.width, base.height);

        const cells = document.createElement('canvas');
        cells.width = cells.height = n;
        const cellsCtx = cells.getContext('2d')!;
        const image = cellsCtx.createImageData(n, n);
        matrixPixels(matrix, contrast, image.data);
        cellsCtx.putImageData(image, 0, 0);
        ctx.imageSmoothingEnabled = false;
        const { margin, cell } = geometry;
        ctx.drawImage(cells, margin, margin, n * cell, n * cell);

        if (geometry.labels) {
            ctx.fillStyle = themeColor('--vscode-foreground', '#ccc');
            ctx.font = editorFont(Math.min(12, cell - 1));
            ctx.textBaseline = 'middle';
            ctx.textAlign = 'right';
            const chars = Math.floor(margin / 7);
            tokens.forEach((text, i) => ctx.fillText(fitLabel(visibleText(text), chars), margin - 4, margin + i * cell + cell / 2));
            ctx.textAlign = 'left';
            tokens.forEach((text, i) => {
                ctx.save();
                ctx.translate(margin + i * cell + cell / 2, margin - 4);
                ctx.rotate(-Math.PI / 2);
                ctx.fillText(fitLabel(visibleText(text), chars), 0, 0);
                ctx.restore();
            });
        }
        this.paint();
    }

    /** Base image, then the pinned query's row and the cursor cell. */
    private paint(): void {
        const ctx = this.element.getContext('2d');
        if (ctx === null || this.base === undefined) return;
        ctx.clearRect(0, 0, this.element.width, this.element.height);
        ctx.drawImage(this.base, 0, 0);
        const { margin, cell, tokens: n } = this.geometry;
        if (n === 0) return;
        ctx.lineWidth = Math.max(1, Math.min(2, cell / 4));
        if (this.pinned !== undefined && this.pinned < n) {
            ctx.strokeStyle = themeColor('--vscode-focusBorder', '#007fd4');
            ctx.strokeRect(margin + 0.5, margin + this.pinned * cell + 0.5, Math.max(1, (this.pinned + 1) * cell - 1), Math.max(1, cell - 1));
        }
        if (this.cursor !== undefined) {
            ctx.strokeStyle = themeColor('--vscode-editorCursor-foreground', '#fff');
            ctx.strokeRect(margin + this.cursor.key * cell + 0.5, margin + this.cursor.query * cell + 0.5, Math.max(1, cell - 1), Math.max(1, cell - 1));
        }
    }

    /** The heatmap as drawn (labels included, cursor left out), for the PNG export. */
    toPng(): string {
        return (this.base ?? this.element).toDataURL('image/png');
    }

    private cellOf(event: MouseEvent): Cell | undefined {
        const rect = this.element.getBoundingClientRect();
        if (rect.width === 0) return undefined;
        const scale = this.element.width / rect.width;
        return cellAt(this.geometry, (event.clientX - rect.left) * scale, (event.clientY - rect.top) * scale);
    }

    private setCursor(cell: Cell | undefined): void {
        if (cell?.query === this.cursor?.query && cell?.key === this.cursor?.key) return;
        this.cursor = cell;
        this.paint();
        this.onCursor(cell);
    }

    private onKey(event: KeyboardEvent): void {
        const n = this.geometry.tokens;
        if (n === 0) return;
        if (event.key === 'Enter' || event.key === ' ') {
            if (this.cursor !== undefined) this.onPick(this.cursor.query);
            event.preventDefault();
            return;
        }
        const next = moveCursor(this.cursor ?? { query: 0, key: 0 }, event.key, n);
        if (next === undefined) return;
        event.preventDefault();
        this.setCursor(next);
    }
}
