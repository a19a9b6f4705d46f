/**
 * The globs that select a retrieval index's documents (`include` / `exclude`) cannot be used: not a list of
 * patterns, a pattern that does not parse, one that points outside the indexed folder, or one that selects nothing
 * an index holds. Named by the key, flag or setting it came from, with the fix.
 */
export class DocumentSelectionError extends Error {
    /** Where the globs came from, e.g. `promptscope.retrieval.include` or `--exclude`. */
    readonly key: string;
    /** The offending pattern, when one pattern is at fault. */
    readonly pattern: string | undefined;
    /** What is wrong, e.g. `"[abc" does not parse (Missing closing: "]")`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(key: string, problem: string, fix: string, pattern?: string) {
        super(`${key}: ${problem}. ${fix}`);
        this.name = 'DocumentSelectionError';
        this.key = key;
        this.pattern = pattern;
        this.problem = problem;
        this.fix = fix;
    }
}
