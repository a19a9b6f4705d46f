import type { FrontMatterIssue } from './FrontMatterIssue';
import { outputFormats, reservedKeys, sectionKeys } from './frontMatterKeys';

/**
 * Shape checks of the Dotprompt keys themselves (config and `promptscope.*` have their own checks):
 * unknown top-level keys, `input`/`output` layout, output formats.
 */
export function checkFrontMatter(data: Record<string, unknown>): FrontMatterIssue[] {
    const issues: FrontMatterIssue[] = [];
    for (const [key, value] of Object.entries(data)) {
        if (key.includes('.') || key === 'promptscope') continue;
        if (!reservedKeys.has(key)) {
            issues.push({
                path: [key], at: 'key', severity: 'warning', code: 'unknown-front-matter-key',
                message: `Dotprompt ignores \`${key}\` (it only appears in \`raw\`). Namespace your own keys, e.g. \`myapp.${key}\`.`,
            });
            continue;
        }
        const mistyped = (expected: string) => issues.push({
            path: [key], severity: 'error', code: 'invalid-front-matter-value', message: `\`${key}\` must be ${expected}.`,
        });
        switch (key) {
            case 'model': case 'name': case 'description': case 'variant': case 'version':
                if (value !== null && typeof value !== 'string') mistyped('a string');
                break;
            case 'tools':
                if (value !== null && (!Array.isArray(value) || !value.every(t => typeof t === 'string'))) mistyped('a list of tool names');
                else issues.push({ path: [key], at: 'key', severity: 'warning', code: 'invalid-front-matter-value', message: 'Promptscope runs prompts without tools: `tools` is ignored here.' });
                break;
            case 'input':
            case 'output': {
                if (value === null) break;
                if (!isMapping(value)) {
                    mistyped(`a mapping with ${sectionKeys[key].map(k => `\`${k.key}\``).join(' and ')}`);
                    break;
                }
                for (const sub of Object.keys(value)) {
                    if (!sectionKeys[key].some(k => k.key === sub)) {
                        issues.push({
                            path: [key, sub], at: 'key', severity: 'warning', code: 'unknown-front-matter-key',
                            message: `Dotprompt ignores \`${key}.${sub}\`; \`${key}\` takes ${sectionKeys[key].map(k => `\`${k.key}\``).join(' and ')}.`,
                        });
                    }
                }
                if (key === 'input' && value.default != null && !isMapping(value.default)) {
                    issues.push({ path: ['input', 'default'], severity: 'error', code: 'invalid-front-matter-value', message: '`input.default` must map variable names to values.' });
                }
                if (key === 'output' && value.format != null) {
                    const format = value.format;
                    if (typeof format !== 'string' || !(outputFormats as readonly string[]).includes(format)) {
                        issues.push({
                            path: ['output', 'format'], severity: 'warning', code: 'invalid-front-matter-value',
                            message: `Promptscope constrains output for \`json\` and leaves \`text\` free; \`${String(format)}\` is treated as free text.`,
                        });
                    } else if (format === 'text' && value.schema != null) {
                        issues.push({
                            path: ['output', 'format'], severity: 'warning', code: 'invalid-front-matter-value',
                            message: '`output.schema` is ignored with `format: text`; use `format: json` to constrain the output.',
                        });
                    }
                }
                break;
            }
        }
    }
    return issues;
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
