/** A mistake in how the CLI was called: printed as one line and a pointer to `promptscope <command> --help`, exit code 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'UsageError';
    }
}
