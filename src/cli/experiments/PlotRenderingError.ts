/**
 * A plot could not be drawn: the renderer or its font is not installed (they are devDependencies, present in a
 * repository after `npm ci`, absent from the packaged extension), or the renderer refused the SVG. Names the plot.
 */
export class PlotRenderingError extends Error {
    readonly plot: string;

    constructor(plot: string, reason: string, options?: { cause?: unknown }) {
        super(`cannot draw ${plot}: ${reason}`, options);
        this.name = 'PlotRenderingError';
        this.plot = plot;
    }
}
