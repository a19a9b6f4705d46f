/** Where the "all heads" thumbnails go: as many columns as fit, each square between `min` and `max` pixels. */
export interface ThumbnailLayout {
    columns: number;
    rows: number;
    /** Side of one thumbnail, in CSS pixels. */
    size: number;
    /** Top-left corner of each thumbnail, in order. */
    positions: { x: number; y: number }[];
    width: number;
    height: number;
}

export function thumbnailLayout(count: number, availableWidth: number, options: { min?: number; max?: number; gap?: number } = {}): ThumbnailLayout {
    const { min = 72, max = 160, gap = 8 } = options;
    if (count <= 0) return { columns: 0, rows: 0, size: 0, positions: [], width: 0, height: 0 };
    const width = Math.max(min, availableWidth);
    // The most columns of at least `min` pixels; then no more columns than thumbnails, and each as wide as fits (≤ max).
    const columns = Math.max(1, Math.min(count, Math.floor((width + gap) / (min + gap))));
    const size = Math.max(min, Math.min(max, Math.floor((width - gap * (columns - 1)) / columns)));
    const rows = Math.ceil(count / columns);
    const positions = Array.from({ length: count }, (_, i) => ({ x: (i % columns) * (size + gap), y: Math.floor(i / columns) * (size + gap) }));
    return { columns, rows, size, positions, width: columns * size + (columns - 1) * gap, height: rows * size + (rows - 1) * gap };
}
