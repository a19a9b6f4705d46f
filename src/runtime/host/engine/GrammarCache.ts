import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import { GrammarError } from '../../../shared/errors/GrammarError';

/**
 * Parsed grammars by source text. Parsing a GBNF grammar (or converting a JSON schema) costs more than a few
 * tokens of decoding, and playgrounds and dataset runs send the same grammar over and over.
 */
export class GrammarCache {
    private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

    constructor(private readonly llama: Llama, private readonly capacity = 16) {}

    gbnf(grammar: string): Promise<LlamaGrammar> {
        return this.get(`gbnf:${grammar}`, () => this.llama.createGrammar({ grammar }), 'grammar');
    }

    jsonSchema(schema: object): Promise<LlamaGrammar> {
        return this.get(`json:${JSON.stringify(schema)}`,
            // The schema type is checked by node-llama-cpp at runtime; ours is `object` by design (user input).
            () => this.llama.createGrammarForJsonSchema(schema as never), 'jsonSchema');
    }

    private get(key: string, create: () => Promise<LlamaGrammar>, source: 'grammar' | 'jsonSchema'): Promise<LlamaGrammar> {
        const cached = this.grammars.get(key);
        if (cached) {
            // Re-insert to keep the map in least-recently-used order.
            this.grammars.delete(key);
            this.grammars.set(key, cached);
            return cached;
        }
        const created = create().catch((error: unknown) => {
            this.grammars.delete(key);
            throw new GrammarError(source, error instanceof Error ? error.message : String(error));
        });
        this.grammars.set(key, created);
        if (this.grammars.size > this.capacity) this.grammars.delete(this.grammars.keys().next().value!);
        return created;
    }
}
