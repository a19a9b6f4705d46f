/** A figure's value as the reports print it: ratios to 3 decimals, large values whole, small ones to 2 significant digits. */
export function formatValue(value: number, unit: string): string {
    if (unit === '×') return value.toFixed(3);
    if (unit === 'tokens') return Math.round(value).toString();
    if (Math.abs(value) >= 100) return Math.round(value).toString();
    // Sub-millisecond figures (the typed-through suggestion) would all read 0.0: two significant digits instead.
    if (value !== 0 && Math.abs(value) < 0.1) return value.toPrecision(2);
    return value.toFixed(1);
}
