import { configKeys } from './config/configKeys';
import { frontMatterKeys, outputFormats, sectionKeys } from './frontMatterKeys';
import type { PromptDocument } from './PromptDocument';
import { answerExtractors, promptStrategies, promptscopeSettingDocs } from './settings/PromptscopeSettings';
import type { TextPosition, TextRange } from './TextRange';

export interface CompletionEntry {
    label: string;
    kind: 'key' | 'value';
    /** One line shown beside the label, e.g. the allowed range. */
    detail?: string;
    /** Markdown. */
    documentation?: string;
    /** Text inserted in place of {@link FrontMatterCompletions.replace}. */
    insertText: string;
}

export interface FrontMatterCompletions {
    /** The partial word the entries replace. */
    replace: TextRange;
    items: CompletionEntry[];
}

const answerKeys = ['extractor', 'marker', 'pattern', 'field', 'labels'];

/**
 * Completion entries for the front matter at `position`: the keys that fit where the cursor is
 * (top level, `config:`, `input:`, `output:`, `promptscope.answer:`) or the values of enum-valued keys
 * (`output.format`, `promptscope.strategy`, `promptscope.answer.extractor`). Empty outside the front matter.
 * Works on the raw lines, so it also helps while the YAML is half-typed and does not parse.
 */
export function frontMatterCompletions(doc: PromptDocument, position: TextPosition): FrontMatterCompletions | undefined {
    // While the closing `---` is not typed yet, everything after the opening line counts as front matter.
    const block = doc.frontMatter ?? (doc.unclosedFrontMatter === undefined ? undefined : {
        contentStart: doc.lines.lineStart(1),
        closeStart: doc.text.length,
    });
    if (block === undefined) return undefined;
    const offset = doc.lines.offsetAt(position);
    if (offset < block.contentStart || offset > block.closeStart) return undefined;

    const lineStart = doc.lines.lineStart(position.line);
    const before = doc.text.slice(lineStart, offset);
    if (/#/.test(before)) return undefined;

    const keyTyping = /^(\s*)(-\s+)?([\w.?-]*)$/.exec(before);
    if (keyTyping !== null && keyTyping[2] === undefined) {
        const indent = keyTyping[1]!.length;
        const parents = parentKeys(doc, position.line, indent);
        const word = keyTyping[3]!;
        return { replace: doc.lines.range(offset - word.length, offset), items: keyItems(parents) };
    }
    const valueTyping = /^(\s*)([\w.?-]+):[ \t]*([\w.-]*)$/.exec(before);
    if (valueTyping !== null) {
        const parents = parentKeys(doc, position.line, valueTyping[1]!.length);
        const values = valueItems([...parents, valueTyping[2]!]);
        if (values.length === 0) return undefined;
        const word = valueTyping[3]!;
        return { replace: doc.lines.range(offset - word.length, offset), items: values };
    }
    return undefined;
}

/** The keys of the mappings enclosing a line at `indent`, outermost first, read from the lines above. */
function parentKeys(doc: PromptDocument, line: number, indent: number): string[] {
    const parents: string[] = [];
    let wanted = indent;
    for (let l = line - 1; l >= 1 && wanted > 0; l--) {
        const text = doc.text.slice(doc.lines.lineStart(l), doc.lines.lineStart(l + 1)).replace(/\r?\n$|\r$/, '');
        const match = /^(\s*)([^\s#:][^:#]*?):\s*(#.*)?$/.exec(text);
        if (match === null) continue;
        const lineIndent = match[1]!.length;
        if (lineIndent < wanted) {
            parents.unshift(match[2]!.trim());
            wanted = lineIndent;
        }
    }
    return parents;
}

function keyItems(parents: string[]): CompletionEntry[] {
    const path = parents.join('/');
    if (path === '') {
        return [
            ...frontMatterKeys.map(k => key(k.key, k.documentation, k.mapping)),
            ...Object.entries(promptscopeSettingDocs).map(([name, documentation]) =>
                key(`promptscope.${name}`, documentation, name === 'answer')),
        ];
    }
    if (path === 'config') {
        return configKeys.map(k => ({
            ...key(k.key, `${k.documentation}\n\nAllowed: ${k.allowed}. Default: ${k.defaultText}.`, false),
            detail: `${k.type}, ${k.allowed}`,
        }));
    }
    if (path === 'input' || path === 'output') return sectionKeys[path].map(k => key(k.key, k.documentation, k.mapping));
    if (path === 'promptscope.answer') return answerKeys.map(k => key(k, `Answer setting \`${k}\`.`, k === 'labels'));
    return [];
}

function valueItems(path: string[]): CompletionEntry[] {
    const joined = path.join('/');
    const values = joined === 'output/format' ? outputFormats
        : joined === 'promptscope.strategy' ? promptStrategies
            : joined === 'promptscope.answer.extractor' || joined === 'promptscope.answer/extractor' ? answerExtractors
                : undefined;
    return (values ?? []).map(v => ({ label: v, kind: 'value', insertText: v }));
}

function key(label: string, documentation: string, mapping: boolean): CompletionEntry {
    // A mapping key continues on an indented line; the editor re-indents inserted lines to the cursor's level.
    return { label, kind: 'key', documentation, insertText: mapping ? `${label}:\n  ` : `${label}: ` };
}
