/**
 * The `promptscope.speculative.*` settings as the runtime's SpeculativeOptions. Free of `vscode` so it stays a plain
 * function of the values; read per run, so a change applies to the next Run Prompt without reloading the model.
 */
import { isAbsolute, join } from 'node:path';
import { maxSpeculativeDraft, type SpeculativeOptions } from '../../shared/runtimeApi';
import type { SettingReader } from '../modelSettings';

/**
 * The options the settings ask for (undefined: speculation is off), with invalid values left out and said in
 * `problems`. A draft model wins over lookup: both at once is a refusal in the runtime, and a path is the more
 * deliberate choice. A relative draft model path resolves against `baseDir` (the first workspace folder).
 */
export function readSpeculativeSettings(get: SettingReader, baseDir?: string): { options: SpeculativeOptions | undefined; problems: string[] } {
    const problems: string[] = [];
    const draft = get('speculative.draftModel');
    const lookup = get('speculative.lookup');
    let options: SpeculativeOptions | undefined;
    if (typeof draft === 'string' && draft.trim() !== '') {
        const path = draft.trim();
        if (isAbsolute(path)) options = { draftModel: path };
        else if (baseDir !== undefined) options = { draftModel: join(baseDir, path) };
        else problems.push(`promptscope.speculative.draftModel: ${JSON.stringify(path)} is relative and no workspace folder is open; speculation is off`);
        if (lookup === true) problems.push('promptscope.speculative.lookup is ignored while promptscope.speculative.draftModel names a model');
    } else if (draft !== undefined && draft !== null && typeof draft !== 'string') {
        problems.push(`promptscope.speculative.draftModel: ${JSON.stringify(draft)} is not a path; speculation by a draft model is off`);
    }
    if (options === undefined && lookup === true) options = { lookup: {} };
    if (options === undefined) return { options, problems };

    const maxDraft = get('speculative.maxDraft');
    if (typeof maxDraft === 'number' && Number.isInteger(maxDraft) && maxDraft >= 1 && maxDraft <= maxSpeculativeDraft) options.maxDraft = maxDraft;
    else if (maxDraft !== undefined && maxDraft !== null && maxDraft !== 0) {
        problems.push(`promptscope.speculative.maxDraft: ${JSON.stringify(maxDraft)} is not a whole number from 1 to ${maxSpeculativeDraft}; using the runtime's default`);
    }
    const minProbability = get('speculative.minProbability');
    if (typeof minProbability === 'number' && Number.isFinite(minProbability) && minProbability >= 0 && minProbability <= 1) {
        // Only a draft model has probabilities; lookup drafts are copied text.
        if (options.draftModel !== undefined) options.minProbability = minProbability;
    } else if (minProbability !== undefined && minProbability !== null) {
        problems.push(`promptscope.speculative.minProbability: ${JSON.stringify(minProbability)} is not a number from 0 to 1; using the runtime's default`);
    }
    return { options, problems };
}
