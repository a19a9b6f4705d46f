import { join } from 'node:path';
import type { LogLevel, SamplingOptions } from '../../src/shared/runtimeApi';
import { RuntimeClient } from '../../src/runtime/client/RuntimeClient';

/** The bundled host the tests fork (scripts/test.mjs builds it first). */
export const hostScript = join(__dirname, '..', '..', 'dist', 'runtime-host.js');

/** Deterministic sampling: always the most likely token, nothing that depends on the seed. */
export const greedy: SamplingOptions = { temperature: 0, repeatPenalty: 1 };

export interface LogLine {
    level: LogLevel;
    message: string;
    source: 'runtime' | 'llama.cpp';
}

/** A client on the real host, with its log kept for assertions (and printed with PROMPTSCOPE_TEST_LOG=1). */
export function newClient(options: { hostScript?: string; env?: NodeJS.ProcessEnv } = {}): { client: RuntimeClient; log: LogLine[] } {
    const log: LogLine[] = [];
    const client = new RuntimeClient({
        hostScript: options.hostScript ?? hostScript,
        ...(options.env ? { env: options.env } : {}),
        log: (level, message, source) => {
            log.push({ level, message, source });
            if (process.env.PROMPTSCOPE_TEST_LOG) process.stderr.write(`[${source}:${level}] ${message}\n`);
        },
    });
    return { client, log };
}

/** Resolves on the first chunk of tokens a streaming request delivers. */
export function firstChunk(): { onToken: () => void; arrived: Promise<void> } {
    let resolve!: () => void;
    const arrived = new Promise<void>(r => { resolve = r; });
    return { onToken: () => resolve(), arrived };
}
