import { picoschema, type JSONSchema } from 'dotprompt';
import { isPair, isScalar, visit, type Node as YamlNode } from 'yaml';
import type { PromptDocument } from '../PromptDocument';
import type { TextRange } from '../TextRange';

export type SchemaConversion =
    | { ok: true; jsonSchema: JSONSchema | null }
    | { ok: false; message: string; range?: TextRange };

const scalarTypes = 'string, number, integer, boolean, null, any';

/**
 * Converts `input.schema` / `output.schema` (Picoschema or JSON schema) with Dotprompt's own converter,
 * and turns its errors into a message pointing at the offending type in the front matter.
 */
export async function convertSchema(
    doc: PromptDocument,
    section: 'input' | 'output',
    schema: unknown,
    schemas: Record<string, JSONSchema> = {},
): Promise<SchemaConversion> {
    try {
        const jsonSchema = await picoschema(schema, { schemaResolver: name => schemas[name] ?? null });
        const enumProblem = findBadEnum(jsonSchema);
        if (enumProblem !== undefined) return { ok: false, message: enumProblem, range: doc.keyRange([section, 'schema']) };
        return { ok: true, jsonSchema };
    } catch (error) {
        const raw = (error as Error).message;
        const node = doc.yamlNodeAt([section, 'schema']);
        const fallback = doc.keyRange([section, 'schema']);
        let match: RegExpExecArray | null;
        if ((match = /unsupported scalar type '([^']*)'|could not find schema with name '([^']*)'/.exec(raw)) !== null) {
            const type = match[1] ?? match[2]!;
            return {
                ok: false,
                message: `Unknown type \`${type}\` in ${section}.schema: use ${scalarTypes}, \`(object)\`, \`(array)\`, \`(enum)\`, or a named schema.`,
                range: findScalar(doc, node, text => typeOf(text) === type, key => parenType(key) === type) ?? fallback,
            };
        }
        if ((match = /parenthetical types must be 'object' or 'array', got: (.*)$/.exec(raw)) !== null) {
            const type = match[1]!.trim();
            return {
                ok: false,
                message: `\`(${type})\` in ${section}.schema is not a field kind: use \`(object)\`, \`(array)\` or \`(enum)\`, e.g. \`tags(array): string\`.`,
                range: findScalar(doc, node, () => false, key => parenType(key) === type) ?? fallback,
            };
        }
        if ((match = /only consists of objects and strings. Got: (.*)$/.exec(raw)) !== null) {
            const got = match[1]!;
            return {
                ok: false,
                message: `${section}.schema fields take a type such as \`string\` or a nested mapping; got ${got}.`,
                range: findScalar(doc, node, text => JSON.stringify(text) === got || text === got, () => false) ?? fallback,
            };
        }
        if (/enum/.test(raw) || /includes is not a function/.test(raw)) {
            return { ok: false, message: `An \`(enum)\` field in ${section}.schema needs a list of values, e.g. \`color(enum): [RED, GREEN]\`.`, range: fallback };
        }
        return { ok: false, message: `${section}.schema: ${raw.replace(/^Picoschema: /, '')}`, range: fallback };
    }
}

/** `string, the description` → `string`. */
function typeOf(text: string): string {
    return text.split(',')[0]!.trim();
}

/** `tags(array, list of tags)` → `array`. */
function parenType(key: string): string | undefined {
    const open = key.indexOf('(');
    if (open < 0) return undefined;
    return key.slice(open + 1).replace(/\)$/, '').split(',')[0]!.trim();
}

/** The first key or scalar value in `root`'s subtree that matches, as a document range. */
function findScalar(
    doc: PromptDocument,
    root: YamlNode | undefined,
    valueMatches: (text: string) => boolean,
    keyMatches: (key: string) => boolean,
): TextRange | undefined {
    if (root === undefined) return undefined;
    if (isScalar(root)) return valueMatches(String(root.value)) ? doc.nodeRange(root.range ?? undefined) : undefined;
    let found: TextRange | undefined;
    visit(root, {
        Pair(_, pair) {
            if (isScalar(pair.key) && keyMatches(String(pair.key.value))) {
                found = doc.nodeRange(pair.key.range ?? undefined);
                return visit.BREAK;
            }
            return undefined;
        },
        Scalar(_, scalar, path) {
            const parent = path.at(-1);
            const isKey = isPair(parent) && parent.key === scalar;
            if (!isKey && valueMatches(String(scalar.value))) {
                found = doc.nodeRange(scalar.range ?? undefined);
                return visit.BREAK;
            }
            return undefined;
        },
    });
    return found;
}

/** Dotprompt copies an `(enum)` value into `enum` as is; JSON schema needs a list. */
function findBadEnum(schema: unknown, isPropertyMap = false): string | undefined {
    if (schema === null || typeof schema !== 'object') return undefined;
    const entries: [string, unknown][] = Array.isArray(schema) ? schema.map((v, i) => [String(i), v]) : Object.entries(schema);
    if (!isPropertyMap && !Array.isArray(schema)) {
        const value = (schema as Record<string, unknown>).enum;
        if (value !== undefined && !Array.isArray(value)) {
            return `An \`(enum)\` field needs a list of values, e.g. \`color(enum): [RED, GREEN]\`; got ${JSON.stringify(value)}.`;
        }
    }
    for (const [key, value] of entries) {
        // The values of a `properties` map are schemas; a property may well be called `enum`.
        const problem = findBadEnum(value, !isPropertyMap && key === 'properties');
        if (problem !== undefined) return problem;
    }
    return undefined;
}
