/**
 * The editor's words for a server backend's failures, chosen by the error's class and fields (never its message
 * text): the CLI's messages name flags, these name the settings and commands. No `vscode` import, so unit tests run it.
 */
import { BackendCapabilityError } from '../../shared/errors/BackendCapabilityError';
import { CancelledError } from '../../shared/errors/CancelledError';
import { ServerHttpError } from '../../shared/errors/ServerHttpError';
import { ServerModelError } from '../../shared/errors/ServerModelError';
import { ServerResponseError } from '../../shared/errors/ServerResponseError';
import { ServerStreamError } from '../../shared/errors/ServerStreamError';
import { ServerTimeoutError } from '../../shared/errors/ServerTimeoutError';
import { ServerUnreachableError } from '../../shared/errors/ServerUnreachableError';
import { describeRunFailure, FailureAction, type FailureMessage } from '../failureMessages';

/** How a server request failed, in the editor's terms (settings, commands), with the buttons that help. */
export function describeServerFailure(error: unknown): FailureMessage {
    const { openSettings, showLogs } = FailureAction;
    if (error instanceof ServerUnreachableError) {
        return { message: `Promptscope: the server at ${error.url} is unreachable (${error.reason}): start it, or correct promptscope.server.urls (or the prompt's promptscope.backend).`, actions: [openSettings, showLogs] };
    }
    if (error instanceof ServerModelError) {
        const served = error.served.length === 0 ? 'no model' : error.served.map(s => JSON.stringify(s)).join(', ');
        const asked = error.model === '' ? 'no model name was given and it serves several' : `it does not serve a model named ${JSON.stringify(error.model)}`;
        return { message: `Promptscope: wrong model name for ${error.url}: ${asked}; it serves ${served}. Set promptscope.server.model (or the prompt's promptscope.backend model) to one of those.`, actions: [openSettings, showLogs] };
    }
    if (error instanceof ServerHttpError) {
        const attempts = error.attempts > 1 ? ` after ${error.attempts} attempts` : '';
        const said = error.serverMessage ? ` (${error.serverMessage})` : '';
        const fix = error.status === 401 || error.status === 403 ? ': check the API key ("Promptscope: Set Server API Key…")'
            : error.status === 429 ? ': the server is rate-limiting; lower promptscope.server.concurrency or try again later'
            : error.status >= 500 ? ': the server failed (its own log says why)' : '';
        return { message: `Promptscope: ${error.url} answered HTTP ${error.status}${attempts}${said}${fix}.`, actions: error.status === 401 || error.status === 403 || error.status === 429 ? [openSettings, showLogs] : [showLogs] };
    }
    if (error instanceof ServerTimeoutError) {
        return { message: `Promptscope: ${error.url} sent nothing for ${error.seconds} s (timeout), so the request was aborted: raise promptscope.server.timeoutSeconds, or check that the server is not stuck.`, actions: [openSettings, showLogs] };
    }
    if (error instanceof ServerStreamError || error instanceof ServerResponseError || error instanceof BackendCapabilityError || error instanceof CancelledError) {
        return { message: `Promptscope: ${error.message}`, actions: [showLogs] };
    }
    return describeRunFailure(error);
}
