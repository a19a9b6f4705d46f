/** A model file that cannot be used: missing, unreadable, not GGUF, corrupt, or missing what llama.cpp needs. */
export class ModelFileError extends Error {
    /** The file as given (absolute when the runtime resolved it). */
    readonly path: string;
    /** What is wrong, e.g. `not a GGUF file (starts with "PK\x03\x04")`. */
    readonly problem: string;
    /** What the user can do about it. */
    readonly fix: string;

    constructor(path: string, problem: string, fix: string) {
        super(`Cannot use model file ${path}: ${problem}. ${fix}`);
        this.name = 'ModelFileError';
        this.path = path;
        this.problem = problem;
        this.fix = fix;
    }
}
