import type { GbnfProblem } from '../core/grammar/checkGbnf';

/**
 * The GBNF file given to `--grammar` does not parse: names the file and the 1-based line and column of the first
 * problem (`FILE:LINE:COLUMN`, which terminals and editors turn into a link), found before a model is loaded.
 */
export class GrammarFileError extends Error {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly problem: string;

    constructor(file: string, problem: GbnfProblem) {
        super(`--grammar ${file}:${problem.line}:${problem.column}: ${problem.message}`);
        this.name = 'GrammarFileError';
        this.file = file;
        this.line = problem.line;
        this.column = problem.column;
        this.problem = problem.message;
    }
}
