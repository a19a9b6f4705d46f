import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { configKeyInfo, suggestConfigKey } from './config/configKeys';
import { frontMatterKeys, sectionKeys } from './frontMatterKeys';
import type { PromptDocument } from './PromptDocument';
import { promptscopeSettingDocs } from './settings/PromptscopeSettings';
import type { TextPosition, TextRange } from './TextRange';

export interface FrontMatterHover {
    range: TextRange;
    /** Markdown. */
    markdown: string;
}

/** Documentation for the front-matter key under `position`: config keys, Dotprompt keys, `promptscope.*` settings. */
export function frontMatterHover(doc: PromptDocument, position: TextPosition): FrontMatterHover | undefined {
    const block = doc.frontMatter;
    if (block === undefined) return undefined;
    const offset = doc.lines.offsetAt(position) - block.contentStart;
    const found = keyAt(block.yaml.contents as YamlNode | null, offset, []);
    if (found === undefined) return undefined;
    const markdown = documentation(found.path);
    if (markdown === undefined) return undefined;
    const range = doc.nodeRange(found.range);
    return range === undefined ? undefined : { range, markdown };
}

function documentation(path: string[]): string | undefined {
    const [first, second] = path;
    if (path.length === 1) {
        const top = frontMatterKeys.find(k => k.key === first);
        if (top !== undefined) return `**${first}**\n\n${top.documentation}`;
        if (first!.startsWith('promptscope.')) {
            const name = first!.slice('promptscope.'.length).split('.')[0]!;
            const doc = (promptscopeSettingDocs as Record<string, string>)[name];
            return doc === undefined ? `Unknown Promptscope setting \`${first}\`.` : `**${first}** (Promptscope)\n\n${doc}`;
        }
        return undefined;
    }
    if (path.length === 2 && first === 'config') {
        const info = configKeyInfo(second!);
        if (info === undefined) {
            const suggestion = suggestConfigKey(second!);
            return `Unknown config key \`${second}\`: it is ignored.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`;
        }
        return `**config.${info.key}** — ${info.type}, ${info.allowed}; default ${info.defaultText}\n\n${info.documentation}`;
    }
    if (path.length === 2 && (first === 'input' || first === 'output')) {
        const info = sectionKeys[first].find(k => k.key === second);
        return info === undefined ? undefined : `**${first}.${second}**\n\n${info.documentation}`;
    }
    return undefined;
}

/** The key whose text contains `offset`, with its path. */
function keyAt(node: YamlNode | null | undefined, offset: number, path: string[]): { path: string[]; range: [number, number] } | undefined {
    if (isMap(node)) {
        for (const pair of node.items) {
            const key = pair.key as YamlNode | null;
            if (!isScalar(key) || key.range == null) continue;
            const name = String(key.value);
            if (offset >= key.range[0] && offset <= key.range[1]) return { path: [...path, name], range: [key.range[0], key.range[1]] };
            const inner = keyAt(pair.value as YamlNode | null, offset, [...path, name]);
            if (inner !== undefined) return inner;
        }
    } else if (isSeq(node)) {
        for (const item of node.items) {
            const inner = keyAt(item as YamlNode | null, offset, path);
            if (inner !== undefined) return inner;
        }
    }
    return undefined;
}
