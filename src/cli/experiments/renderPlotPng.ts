import { dirname, join } from 'node:path';
import { plotFontFamily } from './selfConsistencyPlot';
import { PlotRenderingError } from './PlotRenderingError';

/** The font files the plots' text is drawn with (regular and bold), from the dejavu-fonts-ttf package. */
export function plotFontFiles(): string[] {
    const folder = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    return [join(folder, 'DejaVuSans.ttf'), join(folder, 'DejaVuSans-Bold.ttf')];
}

/**
 * Renders a plot's SVG to PNG bytes with resvg (`@resvg/resvg-js`), at its own size, on white. System fonts are not
 * loaded: the text is drawn with the packaged DejaVu Sans alone, so the same figures give the same picture on every
 * machine, whatever fonts it has. `name` says which plot in an error.
 */
export async function renderPlotPng(svg: string, name: string): Promise<Uint8Array> {
    let fontFiles: string[];
    let resvg: typeof import('@resvg/resvg-js');
    try {
        fontFiles = plotFontFiles();
        // Required on use, not imported at the top: the packaged extension's CLI runs no experiments and ships neither
        // package. A plain require, as the bundle is CommonJS and a dynamic import() fails from tsx's loader.
        resvg = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
    } catch (error) {
        throw new PlotRenderingError(name, '@resvg/resvg-js and dejavu-fonts-ttf (devDependencies) are not installed: run `npm ci` in the repository', { cause: error });
    }
    try {
        const rendered = new resvg.Resvg(svg, {
            font: { loadSystemFonts: false, fontFiles, defaultFontFamily: plotFontFamily, sansSerifFamily: plotFontFamily },
            fitTo: { mode: 'original' }, background: '#ffffff', logLevel: 'off',
        }).render();
        return new Uint8Array(rendered.asPng());
    } catch (error) {
        throw new PlotRenderingError(name, error instanceof Error ? error.message : String(error), { cause: error });
    }
}
