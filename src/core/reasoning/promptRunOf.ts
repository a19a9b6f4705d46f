import { createHash } from 'node:crypto';
import type { SamplingOptions } from '../../shared/sampling';
import type { PreparedPrompt } from '../prompt/preparePrompt';
import type { PromptRun } from './PromptRun';

/**
 * A prepared `.prompt` as the strategies run it. `defaults` (the editor's sampling settings) sit under the prompt's
 * own `config`; `text` is the prompt file's text as it ran (unsaved changes included), hashed for the run history.
 */
export function promptRunOf(prepared: PreparedPrompt, file: string | undefined, text: string, defaults: SamplingOptions = {}): PromptRun {
    return {
        file, messages: prepared.messages, sampling: { ...defaults, ...prepared.sampling }, lora: prepared.lora,
        settings: prepared.settings, promptHash: createHash('sha256').update(text).digest('hex'),
    };
}
