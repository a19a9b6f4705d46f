import { AddonUnavailableError } from './AddonUnavailableError';
import { AttentionLimitError } from './AttentionLimitError';
import { CancelledError } from './CancelledError';
import { ContextOverflowError } from './ContextOverflowError';
import { DecodingSettingsError } from './DecodingSettingsError';
import { EnvironmentVariableError } from './EnvironmentVariableError';
import { FileTooLargeError } from './FileTooLargeError';
import { FileWriteError } from './FileWriteError';
import { GrammarError } from './GrammarError';
import { InvalidUtf8Error } from './InvalidUtf8Error';
import { LoraAdapterError } from './LoraAdapterError';
import { ModelDownloadError } from './ModelDownloadError';
import { ModelDownloadTimeoutError } from './ModelDownloadTimeoutError';
import { ModelFileError } from './ModelFileError';
import { NoModelLoadedError } from './NoModelLoadedError';
import { NonFiniteResultError } from './NonFiniteResultError';
import { NotARegularFileError } from './NotARegularFileError';
import { QuantizationError } from './QuantizationError';
import { RuntimeNotRespondingError } from './RuntimeNotRespondingError';
import { RuntimeStoppedError } from './RuntimeStoppedError';
import { SamplingOptionsError } from './SamplingOptionsError';
import { SpeculativeDecodingError } from './SpeculativeDecodingError';
import { UnsafePathError } from './UnsafePathError';
import { EmbeddingError } from './EmbeddingError';
import { EmbeddingModelMismatchError } from './EmbeddingModelMismatchError';
import { NoDocumentsError } from './NoDocumentsError';
import { DocumentSelectionError } from './DocumentSelectionError';
import { RetrievalIndexError } from './RetrievalIndexError';
import { BackendCapabilityError } from './BackendCapabilityError';
import { ServerUnreachableError } from './ServerUnreachableError';
import { ServerHttpError } from './ServerHttpError';
import { ServerTimeoutError } from './ServerTimeoutError';
import { ServerResponseError } from './ServerResponseError';
import { ServerStreamError } from './ServerStreamError';
import { ServerModelError } from './ServerModelError';

export {
    CancelledError, ModelDownloadTimeoutError, RuntimeNotRespondingError,
    AddonUnavailableError, AttentionLimitError, ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError,
    ModelFileError, NoModelLoadedError, NonFiniteResultError, RuntimeStoppedError, SamplingOptionsError, FileTooLargeError, NotARegularFileError,
    FileWriteError, UnsafePathError, EnvironmentVariableError, InvalidUtf8Error, QuantizationError, SpeculativeDecodingError,
    DecodingSettingsError,
    EmbeddingError, EmbeddingModelMismatchError, NoDocumentsError, DocumentSelectionError, RetrievalIndexError,
    BackendCapabilityError, ServerUnreachableError, ServerHttpError, ServerTimeoutError, ServerResponseError, ServerStreamError, ServerModelError,
};

/**
 * Errors that keep their class across a channel (runtime host → client, extension host → webview page): `reviveError`
 * looks them up by `name`, so receivers check them with `instanceof`. Register every class of this folder here.
 */
export const errorClasses: Readonly<Record<string, new (...args: never[]) => Error>> = {
    CancelledError, ModelDownloadTimeoutError, RuntimeNotRespondingError,
    AddonUnavailableError, AttentionLimitError, ContextOverflowError, GrammarError, LoraAdapterError, ModelDownloadError,
    ModelFileError, NoModelLoadedError, NonFiniteResultError, RuntimeStoppedError, SamplingOptionsError, FileTooLargeError, NotARegularFileError,
    FileWriteError, UnsafePathError, EnvironmentVariableError, InvalidUtf8Error, QuantizationError, SpeculativeDecodingError,
    DecodingSettingsError,
    EmbeddingError, EmbeddingModelMismatchError, NoDocumentsError, DocumentSelectionError, RetrievalIndexError,
    BackendCapabilityError, ServerUnreachableError, ServerHttpError, ServerTimeoutError, ServerResponseError, ServerStreamError, ServerModelError,
};
