import { isMap, isScalar, type Node as YamlNode, type Pair } from 'yaml';
import type { PromptDocument } from '../PromptDocument';
import type { TextRange } from '../TextRange';

/**
 * Where `input.schema` declares the property at `path`, in either notation: Picoschema keys
 * (`name`, `name?`, `tags(array, …)`) or JSON schema (`properties: {name: …}`).
 */
export function locateSchemaProperty(doc: PromptDocument, section: 'input' | 'output', path: readonly string[]): TextRange | undefined {
    let node: YamlNode | undefined = doc.yamlNodeAt([section, 'schema']);
    let last: Pair | undefined;
    for (const segment of path) {
        if (!isMap(node)) break;
        const properties = node.items.find(p => isScalar(p.key) && p.key.value === 'properties');
        const holder = properties !== undefined && isMap(properties.value) ? properties.value : node;
        const pair = holder.items.find(p => isScalar(p.key) && propertyName(String(p.key.value)) === segment);
        if (pair === undefined) break;
        last = pair as Pair;
        node = pair.value as YamlNode | undefined;
    }
    const key = last?.key as YamlNode | undefined;
    return doc.nodeRange(key?.range ?? undefined) ?? doc.keyRange([section, 'schema']);
}

/** `name?(array, desc)` → `name`. */
export function propertyName(key: string): string {
    return key.split('(')[0]!.replace(/\?$/, '').trim();
}
