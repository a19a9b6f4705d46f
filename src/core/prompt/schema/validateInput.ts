/** One way a value fails a JSON schema. */
export interface InputIssue {
    kind: 'missing' | 'type' | 'enum' | 'additional';
    /** Path of the offending input, e.g. `['user', 'name']`. */
    path: string[];
    message: string;
}

type Schema = Record<string, unknown>;

/**
 * Checks inputs against the JSON schema Dotprompt made of `input.schema`: required fields, types, enums,
 * undeclared fields. Only the JSON-schema keywords Picoschema produces are checked (type, properties,
 * required, additionalProperties, items, enum); a schema using others is not rejected for them.
 */
export function validateInput(value: unknown, schema: unknown, path: string[] = []): InputIssue[] {
    if (!isObject(schema)) return [];
    const issues: InputIssue[] = [];
    const name = path.length === 0 ? 'the input' : `input \`${path.join('.')}\``;

    const types = schema.type === undefined ? undefined : (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (types !== undefined && !types.some(t => hasType(value, t))) {
        issues.push({ kind: 'type', path, message: `${capitalize(name)} must be ${types.map(article).join(' or ')}; got ${describe(value)}.` });
        return issues;
    }
    if (Array.isArray(schema.enum) && !schema.enum.some(option => sameValue(option, value))) {
        issues.push({ kind: 'enum', path, message: `${capitalize(name)} must be one of ${schema.enum.map(v => JSON.stringify(v)).join(', ')}; got ${describe(value)}.` });
        return issues;
    }
    if (isObject(value) && !Array.isArray(value)) {
        const properties = isObject(schema.properties) ? schema.properties : {};
        for (const required of Array.isArray(schema.required) ? schema.required as string[] : []) {
            if (value[required] === undefined) {
                issues.push({ kind: 'missing', path: [...path, required], message: `Missing required input \`${[...path, required].join('.')}\`.` });
            }
        }
        for (const [key, child] of Object.entries(value)) {
            if (child === undefined) continue;
            if (Object.hasOwn(properties, key)) {
                issues.push(...validateInput(child, properties[key], [...path, key]));
            } else if (schema.additionalProperties === false) {
                issues.push({ kind: 'additional', path: [...path, key], message: `Input \`${[...path, key].join('.')}\` is not declared in input.schema.` });
            } else if (isObject(schema.additionalProperties)) {
                issues.push(...validateInput(child, schema.additionalProperties, [...path, key]));
            }
        }
    }
    if (Array.isArray(value) && isObject(schema.items)) {
        value.forEach((item, i) => issues.push(...validateInput(item, schema.items, [...path, String(i)])));
    }
    return issues;
}

function hasType(value: unknown, type: string): boolean {
    switch (type) {
        case 'string': return typeof value === 'string';
        case 'number': return typeof value === 'number' && Number.isFinite(value);
        case 'integer': return typeof value === 'number' && Number.isInteger(value);
        case 'boolean': return typeof value === 'boolean';
        case 'null': return value === null;
        case 'array': return Array.isArray(value);
        case 'object': return isObject(value) && !Array.isArray(value);
        default: return true;
    }
}

function isObject(value: unknown): value is Schema {
    return value !== null && typeof value === 'object';
}

function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

function article(type: string): string {
    return type === 'null' ? 'null' : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function capitalize(text: string): string {
    return text[0]!.toUpperCase() + text.slice(1);
}

function describe(value: unknown): string {
    if (value === undefined) return 'nothing';
    const json = JSON.stringify(value);
    return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
