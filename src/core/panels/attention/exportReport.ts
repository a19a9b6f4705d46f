import type { AttentionReport, HeadChoice } from '../../../shared/protocols/attention';

/** The report as the runtime gave it (the CLI's `promptscope attention --json` shape), with the captured layers. */
export function reportToJson(report: AttentionReport): string {
    return JSON.stringify(report) + '\n';
}

/** File name part for the matrix on screen, e.g. `layer3.head2` or `layer3.mean`. */
export function viewSuffix(layer: number, head: HeadChoice): string {
    return `layer${layer}.${head === 'mean' ? 'mean' : `head${head}`}`;
}

/** `NAME.attention[.SUFFIX].EXT`, with anything unsafe in a file name replaced. */
export function exportFileName(title: string, format: 'json' | 'png', suffix?: string): string {
    const stem = title.replace(/\.prompt$/, '').replace(/[^\w.-]+/g, '_') || 'prompt';
    const safeSuffix = suffix?.replace(/[^\w.-]+/g, '_');
    return `${stem}.attention${safeSuffix ? `.${safeSuffix}` : ''}.${format}`;
}
