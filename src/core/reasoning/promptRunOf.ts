import type { SamplingOptions } from '../../shared/sampling';
import type { PreparedPrompt } from '../prompt/preparePrompt';
import type { PromptRun } from './PromptRun';

/**
 * A prepared prompt as the editor's strategies run it: `defaults` (the editor's sampling settings) sit under the
 * prompt's own `config`. The file, its text as it ran (unsaved changes included) and that text's hash come from the
 * preparation itself.
 */
export function promptRunOf(prepared: PreparedPrompt, defaults: SamplingOptions = {}): PromptRun {
    return { ...prepared, sampling: { ...defaults, ...prepared.sampling } };
}
