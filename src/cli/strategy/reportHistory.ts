import type { RunHistory } from '../../core/reasoning/history/RunHistory';

/**
 * Called once the result is printed: a run history that could not be written is reported on stderr, after the
 * result, never instead of it. The default file's failure is a warning and leaves `code` as it is (a read-only
 * checkout still runs prompts); a file the user named with `--out` that was not written is an error, exit 1 unless
 * the run already failed or was interrupted.
 */
export function reportHistory(command: string, history: RunHistory | undefined, code: number): number {
    const problem = history?.describeFailure();
    if (history === undefined || problem === undefined) return code;
    if (history.named) {
        const failure = history.failure!;
        process.stderr.write(`promptscope ${command}: --out ${history.path}: ${history.describeLoss()}: ${failure.problem}. ${failure.fix}\n`);
        return code === 0 ? 1 : code;
    }
    process.stderr.write(`promptscope ${command}: warning: ${problem} (--no-history skips it)\n`);
    return code;
}

/** The `history` field of `--json` output: the file, or null when nothing was written to it (`--no-history`, a failure). */
export function historyJson(history: RunHistory | undefined): { history: string | null; historyError?: string } {
    if (history === undefined) return { history: null };
    const failure = history.failure;
    if (failure === undefined) return { history: history.path };
    return { history: history.recorded > 0 ? history.path : null, historyError: failure.message };
}

/** Where the history went, for a summary line printed before {@link reportHistory}'s warning. */
export function historyText(history: RunHistory | undefined): string {
    if (history === undefined) return 'not written (--no-history)';
    if (history.failure === undefined) return history.path;
    return history.recorded > 0 ? `${history.path}, in part (see below)` : 'not written (see below)';
}
