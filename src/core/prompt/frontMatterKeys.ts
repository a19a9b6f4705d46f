/** A front-matter key Dotprompt defines, with its documentation. */
export interface FrontMatterKeyInfo {
    key: string;
    /** Whether its value is a nested mapping (completion then inserts a new indented line). */
    mapping: boolean;
    documentation: string;
}

/** Dotprompt's reserved top-level keys (its `RESERVED_METADATA_KEYWORDS`, less `ext` and `raw`, which it fills itself). */
export const frontMatterKeys: readonly FrontMatterKeyInfo[] = [
    { key: 'model', mapping: false, documentation: 'The model the prompt was written for, e.g. `googleai/gemini-2.0-flash`. Promptscope runs prompts on the loaded local model; this is kept for reference and other Dotprompt tools.' },
    { key: 'config', mapping: true, documentation: 'Sampling options: `temperature`, `topK`, `topP`, `minP`, `maxOutputTokens`, `stopSequences`, `repeatPenalty`, `repeatLastTokens`, `seed`, `logitBias`, `grammar`.' },
    { key: 'input', mapping: true, documentation: 'The template\'s variables: `default` gives values for variables not passed at run time; `schema` declares them in Picoschema (`topic: string, what to write about`) or JSON schema.' },
    { key: 'output', mapping: true, documentation: '`format` (`json` or `text`) and `schema` (Picoschema or JSON schema). With a schema, generation is constrained to JSON matching it.' },
    { key: 'description', mapping: false, documentation: 'What the prompt does, for people and tools listing prompts.' },
    { key: 'name', mapping: false, documentation: 'The prompt\'s name; defaults to the file name in Dotprompt stores.' },
    { key: 'variant', mapping: false, documentation: 'Variant name, as in `name.variant.prompt` files.' },
    { key: 'version', mapping: false, documentation: 'A version string of the prompt.' },
    { key: 'tools', mapping: false, documentation: 'Names of tools the model may call. Promptscope runs prompts without tools, so this is ignored here.' },
    { key: 'toolDefs', mapping: false, documentation: 'Inline tool definitions. Promptscope runs prompts without tools, so this is ignored here.' },
];

/** Keys Dotprompt accepts in `input:` and `output:`. */
export const sectionKeys: Record<'input' | 'output', readonly FrontMatterKeyInfo[]> = {
    input: [
        { key: 'default', mapping: true, documentation: 'Values for variables not passed at run time.' },
        { key: 'schema', mapping: true, documentation: 'The variables: Picoschema (`name: string, description`, `tags(array): string`, `kind?(enum): [a, b]`) or JSON schema.' },
    ],
    output: [
        { key: 'format', mapping: false, documentation: '`json` constrains generation to JSON (matching `schema` when given); `text` leaves it free.' },
        { key: 'schema', mapping: true, documentation: 'The shape of the JSON output, in Picoschema or JSON schema; generation is constrained by a grammar made from it.' },
    ],
};

/** Output formats Promptscope can honour; Genkit's others (array, enum, jsonl, media) are not constrained here. */
export const outputFormats = ['json', 'text'] as const;

export const reservedKeys: ReadonlySet<string> = new Set([...frontMatterKeys.map(k => k.key), 'ext', 'raw']);
