import * as vscode from 'vscode';
import { parseInputValue, type InputField } from '../../core/prompt';
import type { InputMemory } from './InputMemory';
import { promptName } from './promptSource';

/**
 * The inputs of a run: `input.default` covers what it can, and every other field is asked for with one
 * input box, showing back what was typed for that file last time (remembered per file in the workspace).
 */
export class PromptInputs {
    constructor(private readonly memory: InputMemory) {}

    /** Values for the fields without a default; `undefined` when the user cancelled. */
    async ask(prompt: vscode.Uri, fields: readonly InputField[]): Promise<Record<string, unknown> | undefined> {
        const asked = fields.filter(f => !f.hasDefault);
        if (asked.length === 0) return {};
        const remembered = this.memory.recall(prompt.toString());
        const typed: Record<string, string> = {};
        const input: Record<string, unknown> = {};
        for (const [index, field] of asked.entries()) {
            const text = await vscode.window.showInputBox({
                title: `${field.name}${asked.length > 1 ? ` (${index + 1}/${asked.length})` : ''}: input of ${promptName(prompt)}`,
                prompt: describeField(field),
                value: remembered[field.name] ?? '',
                ignoreFocusOut: true,
                validateInput: value => {
                    const parsed = parseInputValue(field, value);
                    return 'error' in parsed ? parsed.error : undefined;
                },
            });
            if (text === undefined) return undefined;
            typed[field.name] = text;
            const parsed = parseInputValue(field, text);
            if ('value' in parsed && parsed.value !== undefined) input[field.name] = parsed.value;
        }
        await this.memory.remember(prompt.toString(), typed);
        return input;
    }

    /** The remembered values without asking (for the token count), and the required fields that have none. */
    recall(prompt: vscode.Uri, fields: readonly InputField[]): { input: Record<string, unknown>; missing: string[] } {
        const remembered = this.memory.recall(prompt.toString());
        const input: Record<string, unknown> = {};
        const missing: string[] = [];
        for (const field of fields.filter(f => !f.hasDefault)) {
            const text = remembered[field.name];
            const parsed = text === undefined ? undefined : parseInputValue(field, text);
            if (parsed !== undefined && 'value' in parsed) {
                if (parsed.value !== undefined) input[field.name] = parsed.value;
            } else if (field.required) {
                missing.push(field.name);
            }
        }
        return { input, missing };
    }
}

function describeField(field: InputField): string {
    const kind = field.enum !== undefined
        ? `one of ${field.enum.map(v => typeof v === 'string' ? v : JSON.stringify(v)).join(', ')}`
        : field.types.length === 0 ? 'any value (text, or JSON)' : field.types.join(' or ');
    const parts = [field.description, kind, field.required ? 'required' : 'optional: leave empty to omit'];
    return parts.filter(p => p !== undefined && p !== '').join(' · ');
}

