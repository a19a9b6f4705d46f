import { SamplingOptionsError } from '../../../shared/errors/SamplingOptionsError';
import { validateSampling } from '../../sampling/validateSampling';
import type { SamplingOptions } from '../../../shared/sampling';
import type { FrontMatterIssue } from '../FrontMatterIssue';
import { configKeyInfo, suggestConfigKey } from './configKeys';

export interface ConfigCheck {
    /** The sampling options the valid keys set. */
    sampling: SamplingOptions;
    /** Unknown keys (warnings) and invalid values (errors). */
    issues: FrontMatterIssue[];
}

/**
 * Maps a Dotprompt `config` mapping onto sampling options, checking each value with the runtime's own
 * rules (`validateSampling`) so the editor flags exactly what a run would reject. Unknown keys are reported,
 * never dropped silently: a misspelt `top_p` would otherwise sample with the default.
 */
export function checkConfig(config: unknown): ConfigCheck {
    const sampling: SamplingOptions = {};
    const issues: FrontMatterIssue[] = [];
    if (config === undefined || config === null) return { sampling, issues };
    if (typeof config !== 'object' || Array.isArray(config)) {
        issues.push({ path: ['config'], severity: 'error', code: 'config-not-mapping', message: '`config` must be a mapping of sampling options, e.g. `temperature: 0.7`.' });
        return { sampling, issues };
    }
    for (const [key, value] of Object.entries(config)) {
        const info = configKeyInfo(key);
        if (info === undefined) {
            const suggestion = suggestConfigKey(key);
            issues.push({
                path: ['config', key], at: 'key', severity: 'warning', code: 'unknown-config-key', suggestion,
                message: `Unknown config key \`${key}\`: it is ignored.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
            });
            continue;
        }
        if (value === null || value === undefined) continue;
        const problem = valueProblem(info.field, value) ?? (info.min !== undefined && typeof value === 'number' && value < info.min ? info.allowed : undefined);
        if (problem !== undefined) {
            issues.push({
                path: ['config', key], severity: 'error', code: 'invalid-config-value',
                message: `\`${key}\` must be ${problem}; got ${describe(value)}.`,
            });
            continue;
        }
        (sampling as Record<string, unknown>)[info.field] = value;
    }
    return { sampling, issues };
}

/** The allowed values in words when `value` is not allowed for `field`, else undefined. */
function valueProblem(field: keyof SamplingOptions, value: unknown): string | undefined {
    try {
        validateSampling({ [field]: value } as SamplingOptions);
        return undefined;
    } catch (error) {
        if (error instanceof SamplingOptionsError) return error.allowed;
        throw error;
    }
}

function describe(value: unknown): string {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
