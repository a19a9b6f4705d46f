/**
 * Element construction for webviews. Text goes in through textContent only: model output such as
 * `<img src=x onerror=…>` must stay text, so nothing here (or anywhere in src/webview) assigns innerHTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: { className?: string; text?: string; title?: string; attrs?: Record<string, string> } = {},
    ...children: (Node | undefined)[]
): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (props.className !== undefined) node.className = props.className;
    if (props.text !== undefined) node.textContent = props.text;
    if (props.title !== undefined) node.title = props.title;
    for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
    for (const child of children) if (child !== undefined) node.append(child);
    return node;
}
