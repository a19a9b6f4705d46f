/** Same fences as the Dotprompt parser (src/core/prompt/PromptDocument.ts): a line of `---`, trailing blanks allowed. */
const fence = /^---[ \t]*$/;

/**
 * The first line of a `.prompt` file's template body: 0 without front matter, the line after the closing `---`
 * with it, and `lineCount` while the front matter is still unclosed (everything after the opening `---` is YAML
 * then). Works line by line, without parsing the YAML, because inline completion asks on every keystroke.
 */
export function frontMatterBodyLine(lineCount: number, lineText: (line: number) => string): number {
    if (lineCount === 0 || !fence.test(lineText(0))) return 0;
    for (let line = 1; line < lineCount; line++) {
        if (fence.test(lineText(line))) return line + 1;
    }
    return lineCount;
}

