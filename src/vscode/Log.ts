import * as vscode from 'vscode';
import type { RuntimeLogSink } from '../shared/runtimeApi';

/**
 * The one output channel of the extension. A log channel, so VS Code adds timestamps and levels and
 * "Developer: Set Log Level…" filters it; llama.cpp's lines arrive at their own level.
 */
export function createLog(): vscode.LogOutputChannel {
    return vscode.window.createOutputChannel('Promptscope', { log: true });
}

/** Forwards the runtime's logs into `log`, marking llama.cpp's own lines so they are told apart from ours. */
export function runtimeLogSink(log: vscode.LogOutputChannel): RuntimeLogSink {
    return (level, message, source) => {
        // llama.cpp ends lines with newlines and sometimes logs them bare.
        const text = message.trimEnd();
        if (text === '') return;
        log[level](source === 'llama.cpp' ? `[llama.cpp] ${text}` : text);
    };
}
