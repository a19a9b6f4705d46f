import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { readBoundedText } from '../files/readBoundedText';
import { LineIndex } from './LineIndex';
import type { TextRange } from './TextRange';

/** The YAML between the `---` lines at the top of a `.prompt` file. */
export interface FrontMatterBlock {
    /** Offset of the first YAML character (the line after the opening `---`). */
    readonly contentStart: number;
    /** Offset of the closing `---` line. */
    readonly closeStart: number;
    readonly yaml: Document.Parsed;
}

/** A problem found while reading the front matter, with offsets into the document text. */
export interface FrontMatterProblem {
    code: 'front-matter-unclosed' | 'yaml-syntax' | 'yaml-warning' | 'front-matter-not-mapping';
    message: string;
    start: number;
    end: number;
    severity: 'error' | 'warning';
}

/** A segment of a path into the front matter: a mapping key or a sequence index. */
export type FrontMatterPath = readonly (string | number)[];

const openingLine = /^---[ \t]*(\r\n|\r|\n)/;
const fenceLine = /^---[ \t]*$/;

/**
 * One `.prompt` file as text: where its front matter and Handlebars body are, the parsed YAML with source
 * ranges, and the exact template Dotprompt will render. Everything else (rendering, analysis) starts here,
 * so positions agree between diagnostics, errors and the editor.
 */
export class PromptDocument {
    readonly text: string;
    readonly lines: LineIndex;
    readonly frontMatter: FrontMatterBlock | undefined;
    /** Set when the file opens a front matter with `---` but never closes it. */
    readonly unclosedFrontMatter: FrontMatterProblem | undefined;
    /** The Handlebars template exactly as Dotprompt renders it (trimmed when there is front matter). */
    readonly template: string;
    /** Offset of {@link template} in {@link text}. */
    readonly templateOffset: number;
    private readonly bodyStart: number;
    private templateLines: LineIndex | undefined;

    private constructor(text: string, readonly path: string | undefined) {
        // Editors drop the byte-order mark; so do we, or every position on line 1 would be off by one.
        this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        this.lines = new LineIndex(this.text);
        const split = splitFrontMatter(this.text, this.lines);
        this.frontMatter = split.frontMatter;
        this.unclosedFrontMatter = split.unclosed;
        this.bodyStart = split.bodyStart;
        if (split.frontMatter === undefined) {
            this.template = this.text;
            this.templateOffset = 0;
        } else {
            const body = this.text.slice(split.bodyStart);
            this.template = body.trim();
            this.templateOffset = split.bodyStart + (body.length - body.trimStart().length);
        }
    }

    static fromText(text: string, path?: string): PromptDocument {
        return new PromptDocument(text, path);
    }

    /** Reads `path` with the bounded reader: a prompt over the size limit, or that is not a regular file, is refused. */
    static async load(path: string): Promise<PromptDocument> {
        return new PromptDocument(await readBoundedText(path, 'prompt'), path);
    }

    /**
     * The source handed to Dotprompt: the same prompt, with the two front-matter shapes Dotprompt 1.1.2
     * would mistake for body text normalized (a closing `---` without a newline after it, and an empty
     * front matter), so that Dotprompt and our positions agree on where the template starts.
     */
    toDotpromptSource(): string {
        if (this.frontMatter === undefined) return this.text;
        const yaml = this.text.slice(this.frontMatter.contentStart, this.frontMatter.closeStart).replace(/(\r\n|\r|\n)$/, '');
        return `---\n${yaml === '' ? '{}' : yaml}\n---\n${this.text.slice(this.bodyStart)}`;
    }

    /** YAML syntax errors and warnings, an unclosed front matter, or a root that is not a mapping. */
    frontMatterProblems(): FrontMatterProblem[] {
        if (this.unclosedFrontMatter !== undefined) return [this.unclosedFrontMatter];
        const block = this.frontMatter;
        if (block === undefined) return [];
        const shift = (p: { pos: [number, number] }) => ({
            start: block.contentStart + p.pos[0],
            end: block.contentStart + Math.max(p.pos[1], p.pos[0] + 1),
        });
        const problems: FrontMatterProblem[] = [
            ...block.yaml.errors.map(e => ({ code: 'yaml-syntax' as const, message: yamlMessage(e.message), severity: 'error' as const, ...shift(e) })),
            ...block.yaml.warnings.map(w => ({ code: 'yaml-warning' as const, message: yamlMessage(w.message), severity: 'warning' as const, ...shift(w) })),
        ];
        if (block.yaml.errors.length > 0) return problems;
        const root = block.yaml.contents;
        if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) {
            const range = root.range ?? [0, 0];
            problems.push({
                code: 'front-matter-not-mapping',
                message: 'The front matter must be a YAML mapping of keys (model, config, input, output, …).',
                severity: 'error',
                start: block.contentStart + range[0],
                end: block.contentStart + range[1],
            });
        } else {
            try {
                block.yaml.toJS();
            } catch (error) {
                problems.push({ code: 'yaml-syntax', message: (error as Error).message, severity: 'error', start: block.contentStart, end: block.closeStart });
            }
        }
        return problems;
    }

    /** The front matter as plain data: `{}` when there is none. Only meaningful when {@link frontMatterProblems} has no errors. */
    frontMatterData(): Record<string, unknown> {
        if (this.frontMatter === undefined) return {};
        try {
            const data: unknown = this.frontMatter.yaml.toJS();
            return data !== null && typeof data === 'object' && !Array.isArray(data) ? data as Record<string, unknown> : {};
        } catch {
            return {};
        }
    }

    /** Range of the key at `path` in the front matter, e.g. `['config', 'topP']`. */
    keyRange(path: FrontMatterPath): TextRange | undefined {
        const found = this.locate(path);
        const key = found?.pair?.key as YamlNode | undefined;
        return this.nodeRange(key?.range ?? undefined);
    }

    /** Range of the value at `path` in the front matter; falls back to the key when the value is empty. */
    valueRange(path: FrontMatterPath): TextRange | undefined {
        const found = this.locate(path);
        if (found === undefined) return undefined;
        const value = found.node;
        if (value?.range != null && value.range[1] > value.range[0]) return this.nodeRange(value.range);
        return this.keyRange(path);
    }

    /** Range of the deepest existing node along `path`: the best place to point at when the full path is absent. */
    closestRange(path: FrontMatterPath): TextRange | undefined {
        for (let n = path.length; n > 0; n--) {
            const range = this.keyRange(path.slice(0, n)) ?? this.valueRange(path.slice(0, n));
            if (range !== undefined) return range;
        }
        return undefined;
    }

    /** The YAML node at `path`, for callers that walk a subtree (schemas). */
    yamlNodeAt(path: FrontMatterPath): YamlNode | undefined {
        return this.locate(path)?.node;
    }

    /** Converts a YAML node's offsets (relative to the front matter) to a document range. */
    nodeRange(range: readonly number[] | undefined): TextRange | undefined {
        if (range === undefined || this.frontMatter === undefined) return undefined;
        const base = this.frontMatter.contentStart;
        return this.lines.range(base + range[0]!, base + range[1]!);
    }

    /** Converts a span of {@link template} to a document range. */
    templateRange(start: number, end: number): TextRange {
        return this.lines.range(this.templateOffset + start, this.templateOffset + end);
    }

    /** Converts a Handlebars location (1-based line, 0-based column within the template) to a template offset. */
    templateOffsetAt(line: number, column: number): number {
        this.templateLines ??= new LineIndex(this.template);
        return this.templateLines.offsetAt({ line: line - 1, character: column });
    }

    /** Range of the front matter including both `---` lines; undefined without front matter. */
    frontMatterRange(): TextRange | undefined {
        if (this.frontMatter === undefined) return undefined;
        return this.lines.range(0, this.bodyStart);
    }

    private locate(path: FrontMatterPath): { pair?: Pair; node?: YamlNode } | undefined {
        let node: unknown = this.frontMatter?.yaml.contents;
        let pair: Pair | undefined;
        for (const segment of path) {
            if (typeof segment === 'number') {
                if (!isSeq(node)) return undefined;
                pair = undefined;
                node = node.items[segment];
            } else {
                if (!isMap(node)) return undefined;
                pair = node.items.find(p => isScalar(p.key) && String(p.key.value) === segment);
                if (pair === undefined) return undefined;
                node = pair.value;
            }
            if (node === undefined) return undefined;
        }
        return { pair, node: (node ?? undefined) as YamlNode | undefined };
    }
}

interface Split {
    frontMatter?: FrontMatterBlock;
    unclosed?: FrontMatterProblem;
    bodyStart: number;
}

/** Finds the front matter the way Dotprompt does: a `---` first line, YAML, and the next `---` line. */
function splitFrontMatter(text: string, lines: LineIndex): Split {
    const open = openingLine.exec(text);
    if (open === null) {
        if (fenceLine.test(text)) {
            return { unclosed: unclosedProblem(text), bodyStart: 0 };
        }
        return { bodyStart: 0 };
    }
    const contentStart = open[0].length;
    for (let line = lines.positionAt(contentStart).line; line < lines.lineCount; line++) {
        const start = lines.lineStart(line);
        const next = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : text.length;
        const lineText = text.slice(start, next).replace(/(\r\n|\r|\n)$/, '');
        if (!fenceLine.test(lineText)) continue;
        const content = text.slice(contentStart, start);
        const yaml = parseDocument(content, { prettyErrors: false, uniqueKeys: true });
        return { frontMatter: { contentStart, closeStart: start, yaml }, bodyStart: next };
    }
    return { unclosed: unclosedProblem(text), bodyStart: 0 };
}

function unclosedProblem(text: string): FrontMatterProblem {
    return {
        code: 'front-matter-unclosed',
        message: 'The front matter opened by `---` on line 1 is never closed: add a line with `---` after the YAML.',
        severity: 'error',
        start: 0,
        end: Math.min(3, text.length),
    };
}

/** yaml's messages sometimes carry a trailing source excerpt even without pretty errors; keep the first line. */
function yamlMessage(message: string): string {
    return message.split('\n')[0]!.trim();
}
