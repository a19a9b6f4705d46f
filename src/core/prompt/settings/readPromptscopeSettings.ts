import type { FrontMatterIssue } from '../FrontMatterIssue';
import { maxSamplePaths } from '../../../shared/limits';
import type { WatermarkOptions } from '../../../shared/watermark';
import { SamplingOptionsError } from '../../../shared/errors/SamplingOptionsError';
import { validateWatermark } from '../../sampling/validateSampling';
import { treeOfThoughtLimits, treeOfThoughtSearches, type TreeOfThoughtSearch, type TreeOfThoughtSettings } from '../../reasoning/treeOfThought';
import { maxSelfAskFollowUps, selfAskAnswerers, type SelfAskAnswerer, type SelfAskSettings } from '../../reasoning/selfAsk';
import { readRetrievalSettings } from '../../retrieval/RetrievalSettings';
import { isLoraScale, loraScaleAllowed } from '../../model/loraScale';
import { parseBackendSetting } from '../../backends/backendSetting';
import {
    answerExtractors, cotModes, promptStrategies, promptscopeSettingDocs,
    type AnswerExtractor, type AnswerSettings, type CotMode, type PromptLoraSetting, type PromptscopeSettings, type PromptStrategy,
} from './PromptscopeSettings';

export interface SettingsRead {
    settings: PromptscopeSettings;
    issues: FrontMatterIssue[];
}

const prefix = 'promptscope.';
const answerKeys = new Set(['extractor', 'marker', 'pattern', 'field', 'labels']);

/**
 * Reads the `promptscope.*` keys of the raw front matter into typed settings. Reads the raw keys rather than
 * Dotprompt's `ext` so that every issue points at the key the user wrote (`promptscope.answer.labels` and
 * `promptscope.answer: {labels: …}` both work, as they do in `ext`).
 */
export function readPromptscopeSettings(raw: Record<string, unknown>): SettingsRead {
    const settings: PromptscopeSettings = {};
    const issues: FrontMatterIssue[] = [];
    const answerParts: { path: (string | number)[]; value: Record<string, unknown> }[] = [];

    for (const [key, value] of Object.entries(raw)) {
        if (key === 'promptscope') {
            issues.push({
                path: [key], at: 'key', severity: 'warning', code: 'nested-promptscope-settings',
                message: 'Dotprompt passes only dotted keys to extensions: write `promptscope.strategy: …` rather than a nested `promptscope:` mapping.',
            });
            continue;
        }
        if (!key.startsWith(prefix)) continue;
        const [name, ...rest] = key.slice(prefix.length).split('.');
        const path = [key];
        if (rest.length > 0 && name === 'answer') {
            answerParts.push({ path: [key], value: { [rest.join('.')]: value } });
            continue;
        }
        if (rest.length > 0 || !Object.hasOwn(promptscopeSettingDocs, name!)) {
            issues.push({
                path, at: 'key', severity: 'warning', code: 'unknown-promptscope-setting',
                message: `Unknown Promptscope setting \`${key}\`; known: ${Object.keys(promptscopeSettingDocs).map(k => prefix + k).join(', ')}.`,
            });
            continue;
        }
        const error = (message: string) => issues.push({ path, severity: 'error', code: 'invalid-promptscope-setting', message: `\`${key}\` ${message}` });
        switch (name) {
            case 'strategy':
                if (typeof value === 'string' && promptStrategies.includes(value as PromptStrategy)) settings.strategy = value as PromptStrategy;
                else error(`must be one of ${promptStrategies.join(', ')}; got ${show(value)}.`);
                break;
            case 'samples':
                if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= maxSamplePaths) settings.samples = value;
                else error(`must be an integer from 1 to ${maxSamplePaths} (the most paths one request samples); got ${show(value)}.`);
                break;
            case 'answer':
                if (isMapping(value)) answerParts.push({ path, value });
                else error('must be a mapping with `extractor`, `marker`, `pattern`, `field` or `labels`.');
                break;
            case 'lora': {
                const lora = readLora(value);
                if (typeof lora === 'string') error(lora);
                else settings.lora = lora;
                break;
            }
            case 'cot':
                if (typeof value === 'string' && cotModes.includes(value as CotMode)) settings.cot = value as CotMode;
                else error(`must be one of ${cotModes.join(', ')}; got ${show(value)}.`);
                break;
            case 'expected':
                if (typeof value === 'string' && value !== '') settings.expected = value;
                else error(`must name a dataset field; got ${show(value)}.`);
                break;
            case 'backend': {
                const backend = parseBackendSetting(value);
                if (typeof backend === 'string') error(backend + '.');
                else settings.backend = backend;
                break;
            }
            case 'watermark': {
                if (!isMapping(value)) {
                    error('must be a mapping `{key, gamma?, delta?, hard?}`.');
                    break;
                }
                try {
                    validateWatermark(value as unknown as WatermarkOptions);
                    settings.watermark = value as unknown as WatermarkOptions;
                } catch (problem) {
                    if (!(problem instanceof SamplingOptionsError)) throw problem;
                    error(`${problem.field.replace(/^watermark\./, '')} must be ${problem.allowed}; got ${show(problem.value)}.`);
                }
                break;
            }
            case 'selfAsk': {
                const read = readSelfAsk(value);
                if (typeof read === 'string') error(read);
                else settings.selfAsk = read;
                break;
            }
            case 'retrieval': {
                const read = readRetrievalSettings(value);
                if (typeof read === 'string') error(read);
                else settings.retrieval = read;
                break;
            }
            case 'tot': {
                const problem = readTreeOfThought(value);
                if (typeof problem === 'string') error(problem);
                else settings.tot = problem;
                break;
            }
            case 'variants': {
                const list = typeof value === 'string' ? [value] : value;
                if (Array.isArray(list) && list.length > 0 && list.every(v => typeof v === 'string' && v !== '')) settings.variants = list as string[];
                else error(`must be a list of .prompt file paths; got ${show(value)}.`);
                break;
            }
        }
    }

    if (answerParts.length > 0) {
        const answer: AnswerSettings = {};
        for (const part of answerParts) readAnswer(part.value, part.path, answer, issues);
        settings.answer = answer;
    }
    if (settings.selfAsk?.answerWith === 'retrieval' && settings.retrieval === undefined) {
        issues.push({
            path: ['promptscope.selfAsk'], severity: 'error', code: 'invalid-promptscope-setting',
            message: '`promptscope.selfAsk` answers follow-ups with retrieval, which needs `promptscope.retrieval` (the index they are searched in): add it, or answer with the model.',
        });
    }
    return { settings, issues };
}

function readAnswer(value: Record<string, unknown>, basePath: (string | number)[], answer: AnswerSettings, issues: FrontMatterIssue[]): void {
    for (const [key, v] of Object.entries(value)) {
        const path = [...basePath, key];
        const error = (message: string) => issues.push({ path, severity: 'error', code: 'invalid-promptscope-setting', message: `\`answer.${key}\` ${message}` });
        if (!answerKeys.has(key)) {
            issues.push({ path, at: 'key', severity: 'warning', code: 'unknown-promptscope-setting', message: `Unknown answer setting \`${key}\`; known: ${[...answerKeys].join(', ')}.` });
            continue;
        }
        switch (key) {
            case 'extractor':
                if (typeof v === 'string' && answerExtractors.includes(v as AnswerExtractor)) answer.extractor = v as AnswerExtractor;
                else error(`must be one of ${answerExtractors.join(', ')}; got ${show(v)}.`);
                break;
            case 'marker':
            case 'field':
                if (typeof v === 'string' && v !== '') answer[key] = v;
                else error('must be a non-empty string.');
                break;
            case 'pattern': {
                const problem = typeof v === 'string' ? regexProblem(v) : 'must be a regular expression string.';
                if (problem === undefined) answer.pattern = v as string;
                else error(problem);
                break;
            }
            case 'labels': {
                if (!isMapping(v) || Object.keys(v).length === 0) {
                    error('must map each label to its surface forms, e.g. `positive: [good, great]`.');
                    break;
                }
                const labels: Record<string, string[]> = {};
                for (const [label, forms] of Object.entries(v)) {
                    const list = typeof forms === 'string' ? [forms] : forms;
                    if (Array.isArray(list) && list.length > 0 && list.every(f => typeof f === 'string' && f.trim() !== '')) labels[label] = list as string[];
                    else issues.push({ path: [...path, label], severity: 'error', code: 'invalid-promptscope-setting', message: `Label \`${label}\` needs one or more non-empty surface forms.` });
                }
                answer.labels = labels;
                break;
            }
        }
    }
}

/** A list of adapters, or the reason the value is not one. */
function readLora(value: unknown): PromptLoraSetting[] | string {
    const items = Array.isArray(value) ? value : [value];
    const out: PromptLoraSetting[] = [];
    for (const item of items) {
        if (typeof item === 'string' && item !== '') {
            out.push({ path: item });
        } else if (isMapping(item) && typeof item.path === 'string' && item.path !== '') {
            const scale = item.scale;
            if (scale !== undefined && !isLoraScale(scale)) return `scale of ${item.path} must be ${loraScaleAllowed}; got ${show(scale)}.`;
            const unknown = Object.keys(item).filter(k => k !== 'path' && k !== 'scale');
            if (unknown.length > 0) return `entries take only \`path\` and \`scale\`; got ${unknown.join(', ')}.`;
            out.push(scale === undefined ? { path: item.path } : { path: item.path, scale });
        } else {
            return `must be an adapter path, \`{path, scale}\`, or a list of them; got ${show(item)}.`;
        }
    }
    return out.length > 0 ? out : 'must name at least one adapter.';
}

function regexProblem(pattern: string): string | undefined {
    let regex: RegExp;
    try {
        regex = new RegExp(pattern);
    } catch (error) {
        return `is not a valid regular expression: ${(error as Error).message}.`;
    }
    // A zero-width alternation matches the empty string; counting groups is reliable through it.
    const groups = (new RegExp(`${regex.source}|`).exec('')?.length ?? 1) - 1;
    return groups >= 1 ? undefined : 'needs a capture group `( … )` around the answer.';
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/** `promptscope.tot` as settings, or what is wrong with it. */
function readTreeOfThought(value: unknown): TreeOfThoughtSettings | string {
    if (!isMapping(value)) return 'must be a mapping `{thoughts?, beamWidth?, maxDepth?, evaluator?, search?, pruneBelow?}`.';
    const tot: TreeOfThoughtSettings = {};
    for (const [key, v] of Object.entries(value)) {
        if (key === 'evaluator') {
            if (v !== 'value' && v !== 'vote') return `evaluator must be value or vote; got ${show(v)}.`;
            tot.evaluator = v;
        } else if (key === 'search') {
            if (!treeOfThoughtSearches.includes(v as TreeOfThoughtSearch)) return `search must be ${treeOfThoughtSearches.join(' or ')}; got ${show(v)}.`;
            tot.search = v as TreeOfThoughtSearch;
        } else if (key === 'pruneBelow') {
            // Values are probabilities or expected label worths, both 0…1: outside it a threshold prunes all or nothing.
            if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) return `pruneBelow must be a number from 0 to 1 (a state's value); got ${show(v)}.`;
            tot.pruneBelow = v;
        } else if (key === 'thoughts' || key === 'beamWidth' || key === 'maxDepth') {
            const max = treeOfThoughtLimits[key];
            if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) return `${key} must be an integer from 1 to ${max}; got ${show(v)}.`;
            tot[key] = v;
        } else {
            return `has no key \`${key}\`; its keys are thoughts, beamWidth, maxDepth, evaluator, search and pruneBelow.`;
        }
    }
    // Breadth-first prunes by its beam alone: a threshold there would be silently ignored.
    if (tot.pruneBelow !== undefined && tot.search !== 'depth') return 'pruneBelow applies to depth-first search only; add `search: depth` or remove pruneBelow.';
    return tot;
}

/** `promptscope.selfAsk` as settings, or what is wrong with it. */
function readSelfAsk(value: unknown): SelfAskSettings | string {
    if (!isMapping(value)) return 'must be a mapping `{followUp?, intermediate?, final?, maxFollowUps?, answerWith?}`.';
    const selfAsk: SelfAskSettings = {};
    for (const [key, v] of Object.entries(value)) {
        if (key === 'followUp' || key === 'intermediate' || key === 'final') {
            if (typeof v !== 'string' || v.trim() === '') return `${key} must be a non-empty marker string; got ${show(v)}.`;
            selfAsk[key] = v;
        } else if (key === 'answerWith') {
            if (!selfAskAnswerers.includes(v as SelfAskAnswerer)) return `answerWith must be one of ${selfAskAnswerers.join(', ')}; got ${show(v)}.`;
            selfAsk.answerWith = v as SelfAskAnswerer;
        } else if (key === 'maxFollowUps') {
            if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > maxSelfAskFollowUps) return `maxFollowUps must be an integer from 0 to ${maxSelfAskFollowUps}; got ${show(v)}.`;
            selfAsk.maxFollowUps = v;
        } else {
            return `has no key \`${key}\`; its keys are followUp, intermediate, final, maxFollowUps and answerWith.`;
        }
    }
    return selfAsk;
}
