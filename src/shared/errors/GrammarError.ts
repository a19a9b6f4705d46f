/** A GBNF grammar or JSON schema that llama.cpp could not turn into a sampling grammar. */
export class GrammarError extends Error {
    /** `grammar` or `jsonSchema`. */
    readonly source: 'grammar' | 'jsonSchema';
    readonly problem: string;

    constructor(source: 'grammar' | 'jsonSchema', problem: string) {
        super(source === 'grammar'
            ? `Invalid GBNF grammar: ${problem}.`
            : `Cannot turn the JSON schema into a grammar: ${problem}.`);
        this.name = 'GrammarError';
        this.source = source;
        this.problem = problem;
    }
}
