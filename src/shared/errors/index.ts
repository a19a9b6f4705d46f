import { ContextOverflowError } from './ContextOverflowError';
import { GrammarError } from './GrammarError';
import { LoraAdapterError } from './LoraAdapterError';
import { ModelDownloadError } from './ModelDownloadError';
import { ModelFileError } from './ModelFileError';
import { NoModelLoadedError } from './NoModelLoadedError';
import { RuntimeStoppedError } from './RuntimeStoppedError';
import { SamplingOptionsError } from './SamplingOptionsError';

export {
    ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError, ModelFileError, NoModelLoadedError,
    RuntimeStoppedError, SamplingOptionsError,
};

/** Errors that cross the host → client channel keeping their class: looked up by `name` on the client side. */
export const runtimeErrorClasses: Readonly<Record<string, new (...args: never[]) => Error>> = {
    ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError, ModelFileError, NoModelLoadedError,
    RuntimeStoppedError, SamplingOptionsError,
};
