/**
 * Lit styles its components through adoptedStyleSheets; only where those are missing does it fall back to <style>
 * elements, which the webview CSP admits only with the page's nonce. Lit reads that nonce from `window.litNonce`, so
 * hand it the nonce this script was loaded with. Imported before the components, which read it when they first render.
 */
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
if (nonce !== undefined && nonce !== '') (window as { litNonce?: string }).litNonce = nonce;
