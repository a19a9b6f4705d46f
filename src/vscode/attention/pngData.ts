/** The PNG signature: a data URL that decodes to anything else is not written to disk. */
const pngMagic = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Largest PNG the host accepts from the webview (a 736² heatmap is well under 2 MiB). */
export const maxPngBytes = 16 * 1024 * 1024;

/**
 * The bytes of a `data:image/png;base64,…` URL from the webview's `canvas.toDataURL()`. The webview is untrusted
 * input as far as the file system goes, so anything that is not a PNG of sensible size is refused.
 */
export function decodePngDataUrl(url: string): Uint8Array {
    const prefix = 'data:image/png;base64,';
    if (typeof url !== 'string' || !url.startsWith(prefix)) throw new Error('the heatmap image is not a PNG data URL');
    const base64 = url.slice(prefix.length);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new Error('the heatmap image is not valid base64');
    if (base64.length * 3 / 4 > maxPngBytes) throw new Error('the heatmap image is too large');
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length < pngMagic.length || !pngMagic.every((b, i) => bytes[i] === b)) throw new Error('the heatmap image is not a PNG');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
