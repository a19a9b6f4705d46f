import type { JSONSchema } from 'dotprompt';
import type { PromptDocument } from './PromptDocument';
import { convertSchema } from './schema/convertSchema';

/** One top-level input of a prompt, as an editor asks for it. */
export interface InputField {
    name: string;
    /** JSON-schema types without `null` (Picoschema adds `null` to optional fields); empty when any value goes. */
    types: string[];
    required: boolean;
    description?: string;
    /** Allowed values, for `(enum)` fields; `null` is left out. */
    enum?: unknown[];
    /** Whether `input.default` gives this field a value. */
    hasDefault: boolean;
}

/**
 * The top-level inputs a prompt declares (`input.schema`, or `input.default` alone), in declaration order,
 * so an editor can ask for the ones without a default. Empty when the front matter or schema is broken:
 * rendering reports those with their positions, this only decides what to ask.
 */
export async function inputFields(doc: PromptDocument, schemas?: Record<string, JSONSchema>): Promise<InputField[]> {
    if (doc.frontMatterProblems().some(p => p.severity === 'error')) return [];
    const input = asMapping(doc.frontMatterData().input);
    if (input === undefined) return [];
    const defaults = asMapping(input.default) ?? {};
    const hasDefault = (name: string) => defaults[name] !== undefined;

    if (input.schema == null) {
        return Object.keys(defaults).map(name => ({ name, types: [], required: false, hasDefault: hasDefault(name) }));
    }
    const conversion = await convertSchema(doc, 'input', input.schema, schemas);
    if (!conversion.ok) return [];
    const schema = asMapping(conversion.jsonSchema);
    const properties = asMapping(schema?.properties);
    if (properties === undefined) return [];
    const required = new Set(Array.isArray(schema!.required) ? schema!.required as string[] : []);
    return Object.entries(properties).map(([name, value]) => {
        const property = asMapping(value) ?? {};
        const rawTypes = property.type === undefined ? [] : Array.isArray(property.type) ? property.type : [property.type];
        const field: InputField = {
            name,
            types: rawTypes.filter((t): t is string => typeof t === 'string' && t !== 'null'),
            required: required.has(name),
            hasDefault: hasDefault(name),
        };
        if (typeof property.description === 'string') field.description = property.description;
        if (Array.isArray(property.enum)) field.enum = property.enum.filter(v => v !== null);
        return field;
    });
}

/**
 * Turns what a user typed for `field` into the input value: text for strings, numbers, booleans, and JSON
 * for anything else. `undefined` value for an empty optional field (left out of the input).
 */
export function parseInputValue(field: InputField, text: string): { value: unknown } | { error: string } {
    if (text === '' && !field.required) return { value: undefined };
    if (field.enum !== undefined) {
        const match = field.enum.find(option => (typeof option === 'string' ? option : JSON.stringify(option)) === text);
        if (match === undefined) return { error: `\`${field.name}\` must be one of ${field.enum.map(v => typeof v === 'string' ? v : JSON.stringify(v)).join(', ')}.` };
        return { value: match };
    }
    const types = field.types;
    if (types.length === 0) {
        // Any value goes: JSON when it looks like JSON, else the text.
        if (/^[[{]/.test(text.trim())) {
            try {
                return { value: JSON.parse(text) as unknown };
            } catch { /* plain text after all */ }
        }
        return { value: text };
    }
    if (types.includes('string')) return { value: text };
    if (types.includes('integer') || types.includes('number')) {
        const number = Number(text.trim());
        if (text.trim() !== '' && Number.isFinite(number) && (types.includes('number') || Number.isInteger(number))) return { value: number };
        if (types.length === 1) return { error: `\`${field.name}\` must be ${types[0] === 'integer' ? 'an integer' : 'a number'}.` };
    }
    if (types.includes('boolean')) {
        if (text.trim() === 'true' || text.trim() === 'false') return { value: text.trim() === 'true' };
        if (types.length === 1) return { error: `\`${field.name}\` must be true or false.` };
    }
    try {
        return { value: JSON.parse(text) as unknown };
    } catch {
        return { error: `\`${field.name}\` must be ${types.join(' or ')}, written as JSON (e.g. ${example(types)}).` };
    }
}

function example(types: string[]): string {
    if (types.includes('array')) return '["a", "b"]';
    if (types.includes('object')) return '{"key": "value"}';
    return '"text"';
}

function asMapping(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}
