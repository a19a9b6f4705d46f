/**
 * Sizes of the query × key heatmap: whole pixels per cell (so cells stay crisp and hit-testing is exact) and a
 * margin for token labels only when cells are tall enough to read them.
 */
export interface HeatmapGeometry {
    tokens: number;
    /** Side of one cell, in canvas pixels. */
    cell: number;
    /** Room left of and above the matrix for labels (0 when there are none). */
    margin: number;
    labels: boolean;
    /** Canvas side. */
    size: number;
}

/** Labels below this cell size would overlap: 512 tokens at 1 px each get none. */
export const minLabelCell = 11;

export function heatmapGeometry(tokens: number, options: { maxMatrix?: number; maxCell?: number; labelMargin?: number } = {}): HeatmapGeometry {
    const { maxMatrix = 640, maxCell = 28, labelMargin = 96 } = options;
    if (tokens <= 0) return { tokens: 0, cell: 0, margin: 0, labels: false, size: 0 };
    const cell = Math.max(1, Math.min(maxCell, Math.floor(maxMatrix / tokens)));
    const labels = cell >= minLabelCell;
    const margin = labels ? labelMargin : 0;
    return { tokens, cell, margin, labels, size: margin + cell * tokens };
}

/** The cell under a canvas point (query = row, key = column), or undefined outside the matrix. */
export function cellAt(geometry: HeatmapGeometry, x: number, y: number): { query: number; key: number } | undefined {
    const { margin, cell, tokens } = geometry;
    if (cell === 0) return undefined;
    const key = Math.floor((x - margin) / cell);
    const query = Math.floor((y - margin) / cell);
    if (key < 0 || query < 0 || key >= tokens || query >= tokens) return undefined;
    return { query, key };
}

/** Moves a keyboard cursor over the visible (causal) cells: keys stay within 0…query. */
export function moveCursor(cursor: { query: number; key: number }, key: string, tokens: number): { query: number; key: number } | undefined {
    let { query, key: k } = cursor;
    switch (key) {
        case 'ArrowUp': query -= 1; break;
        case 'ArrowDown': query += 1; break;
        case 'ArrowLeft': k -= 1; break;
        case 'ArrowRight': k += 1; break;
        case 'Home': k = 0; break;
        case 'End': k = query; break;
        case 'PageUp': query -= 10; break;
        case 'PageDown': query += 10; break;
        default: return undefined;
    }
    query = Math.max(0, Math.min(tokens - 1, query));
    k = Math.max(0, Math.min(query, k));
    return { query, key: k };
}

/** A label that fits in `maxChars`: long tokens are cut with an ellipsis. */
export function fitLabel(text: string, maxChars: number): string {
    const chars = [...text];
    return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}
