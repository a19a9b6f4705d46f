/**
 * Theme colours for drawing on a canvas, which cannot use CSS variables: read once per draw from the computed style,
 * so the PNG export carries the theme the user sees.
 */
export function themeColor(name: string, fallback: string): string {
    const value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value === '' ? fallback : value;
}

export function editorFont(px: number): string {
    const family = themeColor('--vscode-editor-font-family', 'monospace');
    return `${px}px ${family}`;
}
