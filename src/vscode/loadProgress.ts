/**
 * Turns the runtime's load progress events into `Progress.report` calls (no `vscode` import, so
 * unit tests run it). VS Code's notification bar only moves forward by increments, so the download
 * and the load share one bar: the download takes most of it when there is one.
 */
import { formatBytes } from '../core/format';
import type { LoadProgress } from '../shared/runtimeApi';

export interface ProgressStep {
    message: string;
    /** Percent to add to the bar (never negative). */
    increment: number;
}

/** Share of the bar given to downloading when the load starts with a download. */
const downloadShare = 90;

export class LoadProgressTracker {
    private reported = 0;
    private sawDownload = false;

    update(progress: LoadProgress): ProgressStep {
        const fraction = Math.min(1, Math.max(0, Number.isFinite(progress.fraction) ? progress.fraction : 0));
        if (progress.phase === 'download') this.sawDownload = true;
        const [start, span] = progress.phase === 'download'
            ? [0, downloadShare]
            : this.sawDownload ? [downloadShare, 100 - downloadShare] : [0, 100];
        const target = start + fraction * span;
        const increment = Math.max(0, target - this.reported);
        this.reported += increment;
        return { message: describe(progress, fraction), increment };
    }
}

function describe(progress: LoadProgress, fraction: number): string {
    const percent = `${Math.floor(fraction * 100)}%`;
    if (progress.phase === 'load') return `Loading ${percent}`;
    const bytes = progress.downloadedBytes !== undefined && progress.totalBytes !== undefined && progress.totalBytes > 0
        ? ` (${formatBytes(progress.downloadedBytes)} of ${formatBytes(progress.totalBytes)})`
        : '';
    return `Downloading ${percent}${bytes}`;
}
