/**
 * The human-readable reason a host process ended, e.g. `killed by SIGKILL` or
 * `exited with code 134 (abort: …/llama-model.cpp:123: GGML_ASSERT(t_meta.ne[dim] >= 1) failed)`.
 * `lastLines` are the process's last stderr lines and llama.cpp log lines, newest last: an abort is explained
 * by the assertion line ggml prints just before it.
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, lastLines: readonly string[]): string {
    const assertion = [...lastLines].reverse().find(line => /GGML_ASSERT|GGML_ABORT|terminate called|what\(\):|error/i.test(line))
        ?? lastLines[lastLines.length - 1];
    const detail = assertion ? `: ${assertion.trim()}` : '';
    if (signal === 'SIGABRT' || code === 134) {
        return `${signal ? 'killed by SIGABRT' : 'exited with code 134'} (abort${detail})`;
    }
    if (signal) {
        const what = signal === 'SIGSEGV' || signal === 'SIGBUS' || signal === 'SIGILL' || signal === 'SIGFPE' ? 'crashed' : 'killed';
        return `${what} by ${signal}${what === 'crashed' && detail ? ` (${detail.slice(2)})` : ''}`;
    }
    if (code === 137) return 'exited with code 137 (killed, often for running out of memory)';
    if (code === 0) return 'the runtime host exited';
    return `exited with code ${code}${detail ? ` (${detail.slice(2)})` : ''}`;
}
