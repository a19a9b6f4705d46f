/**
 * What a column says about a decoding that failed, chosen by the error's class (runtime errors cross the RPC channel
 * revived as their class). No `vscode` import, so unit tests run it.
 */
import {
    AddonUnavailableError, CancelledError, ContextOverflowError, DecodingSettingsError, NoModelLoadedError, RuntimeStoppedError, SamplingOptionsError,
} from '../../shared/errors';
import type { ColumnFailure } from '../../shared/protocols/decodingLab';

export function columnFailure(error: unknown, aborted: boolean): ColumnFailure {
    const message = error instanceof Error ? error.message : String(error);
    if (aborted || error instanceof CancelledError) return { kind: 'cancelled', message: 'cancelled before it finished' };
    if (error instanceof DecodingSettingsError) return { kind: 'settings', message, field: error.field };
    if (error instanceof SamplingOptionsError) return { kind: 'sampling', message, field: error.field };
    if (error instanceof ContextOverflowError) return { kind: 'contextOverflow', message };
    if (error instanceof AddonUnavailableError) return { kind: 'addonUnavailable', message };
    if (error instanceof NoModelLoadedError) return { kind: 'noModel', message };
    if (error instanceof RuntimeStoppedError) return { kind: 'runtimeStopped', message };
    return { kind: 'other', message };
}
