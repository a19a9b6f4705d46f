/** An `eval` option with an impossible value (`--samples 0`, `--limit 0`): one line on stderr, exit code 1. */
export class EvalOptionError extends Error {
    constructor(option: string, detail: string) {
        super(`--${option} ${detail}`);
        this.name = 'EvalOptionError';
    }
}
