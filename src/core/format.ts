/** Human-readable numbers for model metadata and speeds, shared by the editor and the CLI. */

/** A parameter count in the way model cards write it: `64`, `1.2K`, `94.1M`, `7.24B`. */
export function formatParameterCount(count: number): string {
    const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
    for (const [size, suffix] of units) {
        // 0.9995: 999_999 reads 1.00M, not 1000K.
        if (count >= size * 0.9995) return `${significant(count / size)}${suffix}`;
    }
    return String(Math.round(count));
}

/** A byte count in binary units: `512 B`, `1.5 KiB`, `94.0 MiB`, `4.07 GiB`. */
export function formatBytes(bytes: number): string {
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    if (bytes < 1024) return `${Math.round(bytes)} B`;
    let value = bytes;
    let unit = 'B';
    for (const next of units) {
        if (value < 1024) break;
        value /= 1024;
        unit = next;
    }
    return `${significant(value)} ${unit}`;
}

/** Tokens per second with a precision that fits a status bar: `0.42 tok/s`, `12.3 tok/s`, `153 tok/s`. */
export function formatTokensPerSecond(tokensPerSecond: number): string {
    if (!Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return '– tok/s';
    return `${significant(tokensPerSecond)} tok/s`;
}

/** Three significant digits without trailing noise: 7.24, 94.1, 153. */
function significant(value: number): string {
    if (value >= 100) return String(Math.round(value));
    if (value >= 10) return value.toFixed(1);
    return value.toFixed(2);
}
