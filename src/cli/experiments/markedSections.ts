/**
 * Replaces the part of `text` between `<!-- experiments:ID -->` and `<!-- /experiments:ID -->` with `body`, or appends
 * the marked part when it is not there yet: each experiment rewrites its own section of EXPERIMENTS.md and leaves the
 * others (and any prose around them) as they are.
 */
export function replaceMarkedSection(text: string, id: string, body: string): string {
    const open = `<!-- experiments:${id} -->`;
    const close = `<!-- /experiments:${id} -->`;
    const section = `${open}\n${body.trim()}\n${close}`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start >= 0 && end > start) return text.slice(0, start) + section + text.slice(end + close.length);
    return `${text.trimEnd()}\n\n${section}\n`;
}
