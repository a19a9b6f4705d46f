import { AddonUnavailableError } from './AddonUnavailableError';
import { AttentionLimitError } from './AttentionLimitError';
import { ContextOverflowError } from './ContextOverflowError';
import { GrammarError } from './GrammarError';
import { LoraAdapterError } from './LoraAdapterError';
import { ModelDownloadError } from './ModelDownloadError';
import { ModelFileError } from './ModelFileError';
import { NoModelLoadedError } from './NoModelLoadedError';
import { RuntimeStoppedError } from './RuntimeStoppedError';
import { SamplingOptionsError } from './SamplingOptionsError';

export {
    AddonUnavailableError, AttentionLimitError, ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError,
    ModelFileError, NoModelLoadedError, RuntimeStoppedError, SamplingOptionsError,
};

/**
 * Errors that keep their class across a channel (runtime host → client, extension host → webview page): `reviveError`
 * looks them up by `name`, so receivers check them with `instanceof`. Register every class of this folder here.
 */
export const errorClasses: Readonly<Record<string, new (...args: never[]) => Error>> = {
    AddonUnavailableError, AttentionLimitError, ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError,
    ModelFileError, NoModelLoadedError, RuntimeStoppedError, SamplingOptionsError,
};
