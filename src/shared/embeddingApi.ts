/** Embeddings of texts by a GGUF model through node-llama-cpp's embedding context (the retrieval index and its queries). */
export interface EmbedRequest {
    /**
     * The embedding model: a GGUF file path. It is loaded on the CPU, memory-mapped, on its first use and kept for
     * later requests (an index embeds thousands of chunks, then each prompt one query), beside any model loaded for
     * generation.
     */
    model: string;
    /** The texts to embed, each on its own (no text sees another); at least one, none empty. */
    texts: string[];
    /** CPU threads of the embedding context. Defaults to the runtime's default thread count. */
    threads?: number;
}

export interface EmbedResult {
    /** Absolute path of the embedding model. */
    model: string;
    /** `general.name` of the model when present, else its file name. */
    modelName: string;
    /** Size of the model file in bytes: with the path, what an index records to recognise its model later. */
    modelBytes: number;
    /** Length of every vector. */
    dimensions: number;
    /**
     * One vector per text, in the order of `texts`, as llama.cpp returns it (not normalised): the model's pooled
     * embedding where its GGUF declares a pooling type, else the final-norm hidden state of the text's last token.
     */
    vectors: Float32Array[];
    /** Tokens each text was evaluated as (the BOS and EOS the model's tokenizer adds included). */
    tokens: number[];
    ms: number;
}
