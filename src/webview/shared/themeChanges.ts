/**
 * Calls `redraw` when VS Code switches the colour theme. VS Code sets the theme's colours as CSS variables in the
 * style of <html> and its kind as the class of <body>: CSS follows by itself, but a canvas was painted with the
 * colours read at the time (themeColor) and keeps them until it is drawn again.
 */
export function onThemeChange(redraw: () => void): MutationObserver {
    let last = themeKey();
    const observer = new MutationObserver(() => {
        const key = themeKey();
        if (key === last) return;
        last = key;
        redraw();
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
    observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id', 'data-vscode-theme-kind'] });
    return observer;
}

/** What a redraw depends on; other style changes (a font size) leave it alone. */
function themeKey(): string {
    const style = getComputedStyle(document.documentElement);
    const color = (name: string) => style.getPropertyValue(name).trim();
    return [document.body.className, document.body.dataset.vscodeThemeId ?? '', color('--vscode-editor-background'),
        color('--vscode-foreground'), color('--vscode-focusBorder'), color('--vscode-editorCursor-foreground')].join('|');
}
