import type { Interval } from '../../core/statistics/intervals';

/** What the self-consistency plot shows: accuracy by paths N under both votes, against greedy CoT. */
export interface SelfConsistencyPlotData {
    title: string;
    /** Greedy chain of thought on the same problems: a line with its interval as a band. */
    greedy: Interval;
    /** One point per N, in increasing N (N > 0: the axis is logarithmic, as the N = 1, 2, 4, 8, 16 of Wang et al.). */
    curve: { paths: number; majority: Interval; weighted: Interval }[];
}

/** The plot's size in pixels (the PNG's, at 1 px per SVG unit). */
export const plotSize = { width: 760, height: 440 } as const;

/** The font the SVG names; the renderer loads exactly this family from a file, so the text looks the same everywhere. */
export const plotFontFamily = 'DejaVu Sans';

const area = { left: 72, right: 520, top: 48, bottom: 380 };
const colours = { majority: '#1f62b4', weighted: '#d9661a', greedy: '#555555', grid: '#dddddd', axis: '#333333' };

/**
 * The self-consistency curve as an SVG document: accuracy against N (log scale) for the majority and the
 * probability-weighted vote, each point with its 95% interval as an error bar (the two series offset a little so
 * their bars do not hide each other), and greedy CoT's accuracy as a dashed line in its interval's band. The accuracy
 * axis spans the intervals, rounded out to tenths, so differences of a few points stay visible.
 */
export function selfConsistencyPlotSvg(data: SelfConsistencyPlotData): string {
    if (data.curve.length === 0) throw new RangeError('the self-consistency plot needs at least one point');
    if (data.curve.some((c, i) => !(c.paths > 0) || (i > 0 && c.paths <= data.curve[i - 1]!.paths))) {
        throw new RangeError(`the plot's path counts must be positive and increasing, got ${data.curve.map(c => c.paths).join(', ')}`);
    }
    const intervals = [data.greedy, ...data.curve.flatMap(c => [c.majority, c.weighted])].filter(i => Number.isFinite(i.low) && Number.isFinite(i.high));
    let low = intervals.length === 0 ? 0 : Math.floor(Math.min(...intervals.map(i => i.low)) * 10) / 10;
    let high = intervals.length === 0 ? 1 : Math.ceil(Math.max(...intervals.map(i => i.high)) * 10) / 10;
    // A span under 0.2 would magnify sampling noise into a slope; widen it around the data, within [0, 1].
    while (high - low < 0.2 - 1e-9) {
        if (low > 0) low = Math.max(0, low - 0.1);
        if (high - low < 0.2 - 1e-9 && high < 1) high = Math.min(1, high + 0.1);
    }
    const step = high - low > 0.45 ? 0.1 : 0.05;
    const y = (p: number) => area.bottom - (p - low) / (high - low) * (area.bottom - area.top);
    const logs = data.curve.map(c => Math.log2(c.paths));
    const [minLog, maxLog] = [logs[0]!, logs.at(-1)!];
    const pad = 28;
    const x = (paths: number) => minLog === maxLog
        ? (area.left + area.right) / 2
        : area.left + pad + (Math.log2(paths) - minLog) / (maxLog - minLog) * (area.right - area.left - 2 * pad);

    const parts: string[] = [];
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${plotSize.width}" height="${plotSize.height}" viewBox="0 0 ${plotSize.width} ${plotSize.height}" font-family="${plotFontFamily}" font-size="12">`);
    parts.push(`<rect width="${plotSize.width}" height="${plotSize.height}" fill="#ffffff"/>`);
    parts.push(`<text x="${plotSize.width / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(data.title)}</text>`);
    const ticks = Math.round((high - low) / step);
    for (let i = 0; i <= ticks; i++) {
        const tick = low + i * step;
        const ty = num(y(tick));
        parts.push(`<line x1="${area.left}" y1="${ty}" x2="${area.right}" y2="${ty}" stroke="${colours.grid}"/>`);
        parts.push(`<text x="${area.left - 8}" y="${num(y(tick) + 4)}" text-anchor="end">${Math.round(tick * 100)}%</text>`);
    }
    for (const c of data.curve) {
        parts.push(`<line x1="${num(x(c.paths))}" y1="${area.bottom}" x2="${num(x(c.paths))}" y2="${area.bottom + 5}" stroke="${colours.axis}"/>`);
        parts.push(`<text x="${num(x(c.paths))}" y="${area.bottom + 20}" text-anchor="middle">${c.paths}</text>`);
    }
    parts.push(`<rect x="${area.left}" y="${area.top}" width="${area.right - area.left}" height="${area.bottom - area.top}" fill="none" stroke="${colours.axis}"/>`);
    parts.push(`<text x="${(area.left + area.right) / 2}" y="${area.bottom + 42}" text-anchor="middle">reasoning paths N (log scale)</text>`);
    parts.push(`<text x="20" y="${(area.top + area.bottom) / 2}" text-anchor="middle" transform="rotate(-90 20 ${(area.top + area.bottom) / 2})">accuracy (95% interval)</text>`);

    if (Number.isFinite(data.greedy.estimate)) {
        const [top, bottom] = [clampY(y(data.greedy.high)), clampY(y(data.greedy.low))];
        parts.push(`<rect x="${area.left}" y="${num(top)}" width="${area.right - area.left}" height="${num(bottom - top)}" fill="${colours.greedy}" fill-opacity="0.12"/>`);
        parts.push(`<line x1="${area.left}" y1="${num(y(data.greedy.estimate))}" x2="${area.right}" y2="${num(y(data.greedy.estimate))}" stroke="${colours.greedy}" stroke-width="2" stroke-dasharray="7 5"/>`);
    }
    const series = [
        { key: 'majority' as const, offset: -5, marker: (cx: number, cy: number) => `<circle cx="${num(cx)}" cy="${num(cy)}" r="4.5" fill="${colours.majority}"/>` },
        { key: 'weighted' as const, offset: 5, marker: (cx: number, cy: number) => `<rect x="${num(cx - 4)}" y="${num(cy - 4)}" width="8" height="8" fill="${colours.weighted}"/>` },
    ];
    for (const s of series) {
        const colour = colours[s.key];
        const points = data.curve.filter(c => Number.isFinite(c[s.key].estimate));
        if (points.length > 1) {
            parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map(c => `${num(x(c.paths) + s.offset)},${num(y(c[s.key].estimate))}`).join(' ')}"/>`);
        }
        for (const c of points) {
            const cx = x(c.paths) + s.offset;
            const [top, bottom] = [y(c[s.key].high), y(c[s.key].low)];
            parts.push(`<path d="M${num(cx)} ${num(top)}V${num(bottom)}M${num(cx - 4)} ${num(top)}H${num(cx + 4)}M${num(cx - 4)} ${num(bottom)}H${num(cx + 4)}" stroke="${colour}" stroke-width="1.5" fill="none"/>`);
            parts.push(s.marker(cx, y(c[s.key].estimate)));
        }
    }

    const legend = { x: area.right + 20, y: area.top + 10 };
    const entries = [
        { label: 'majority vote', swatch: `<circle cx="${legend.x + 12}" cy="0" r="4.5" fill="${colours.majority}"/><line x1="${legend.x}" y1="0" x2="${legend.x + 24}" y2="0" stroke="${colours.majority}" stroke-width="2"/>` },
        { label: 'probability-weighted vote', swatch: `<rect x="${legend.x + 8}" y="-4" width="8" height="8" fill="${colours.weighted}"/><line x1="${legend.x}" y1="0" x2="${legend.x + 24}" y2="0" stroke="${colours.weighted}" stroke-width="2"/>` },
        { label: 'greedy CoT (band: its 95% CI)', swatch: `<rect x="${legend.x}" y="-7" width="24" height="14" fill="${colours.greedy}" fill-opacity="0.12"/><line x1="${legend.x}" y1="0" x2="${legend.x + 24}" y2="0" stroke="${colours.greedy}" stroke-width="2" stroke-dasharray="7 5"/>` },
    ];
    entries.forEach((entry, i) => {
        parts.push(`<g transform="translate(0 ${legend.y + i * 24})">${entry.swatch}<text x="${legend.x + 32}" y="4">${escapeXml(entry.label)}</text></g>`);
    });
    parts.push('</svg>');
    return parts.join('\n');

    function clampY(value: number): number {
        return Math.min(area.bottom, Math.max(area.top, value));
    }
}

/** A coordinate with one decimal: enough at 1 px per unit, and the same text on every machine. */
function num(value: number): string {
    return (Math.round(value * 10) / 10).toString();
}

/** Text for an SVG element: the five characters XML reserves, escaped. */
export function escapeXml(text: string): string {
    return text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;' })[c]!);
}
