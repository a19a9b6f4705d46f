import { randomBytes } from 'node:crypto';

/**
 * The HTML of a webview page, as a pure function (no vscode import) so the unit tests can check its escaping and CSP.
 * The page itself holds no model text: the script renders that with DOM APIs after the ready handshake.
 */
export interface WebviewPageOptions {
    /** `webview.cspSource`: where scripts and styles may come from besides the nonce. */
    cspSource: string;
    /** A fresh {@link createNonce} per page load. */
    nonce: string;
    /** URI (from `webview.asWebviewUri`) of the bundle in dist/webview. */
    scriptUri: string;
    styleUris?: readonly string[];
    title: string;
    /** Text shown until the script runs. */
    loadingText?: string;
}

/** 128 random bits, base64: a CSP nonce is only worth anything if it cannot be guessed. */
export function createNonce(): string {
    return randomBytes(16).toString('base64');
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for both element content and quoted attribute values. */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, c => htmlEscapes[c]!);
}

/** For double-quoted attribute values whose single quotes must stay readable (the CSP's `'none'`). */
export function escapeAttribute(text: string): string {
    return text.replace(/[&<>"]/g, c => htmlEscapes[c]!);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
    return [
        `default-src 'none'`,
        `script-src 'nonce-${nonce}'`,
        `style-src ${cspSource} 'nonce-${nonce}'`,
        `img-src ${cspSource} data:`,
        `font-src ${cspSource}`,
    ].join('; ');
}

export function webviewHtml(options: WebviewPageOptions): string {
    const { cspSource, nonce, scriptUri, styleUris = [], title, loadingText = 'Loading…' } = options;
    if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('a CSP nonce must be base64');
    const styles = styleUris.map(uri => `    <link rel="stylesheet" href="${escapeHtml(uri)}" nonce="${nonce}">`).join('\n');
    return `<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(title)}</title>
${styles}
</head>
<body>
    <div id="app" role="main"><p class="loading">${escapeHtml(loadingText)}</p></div>
    <script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
