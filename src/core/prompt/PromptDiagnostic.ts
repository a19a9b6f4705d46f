import type { FrontMatterPath } from './PromptDocument';
import type { TextRange } from './TextRange';

export type DiagnosticSeverity = 'error' | 'warning' | 'information';

/** A problem in a `.prompt` file, positioned for an editor (zero-based ranges). */
export interface PromptDiagnostic {
    range: TextRange;
    severity: DiagnosticSeverity;
    /** Stable identifier of the kind of problem, e.g. `unknown-config-key`; see {@link diagnosticCodes}. */
    code: DiagnosticCode;
    message: string;
    /** The name the problem is about: the unknown key, helper, partial or variable. */
    subject?: string;
    /** The front-matter key at fault, for problems of a front-matter value (`['config', 'topP']`). */
    path?: FrontMatterPath;
    /** Where the problem really is when that is another file (a syntax error inside a partial). */
    related?: { path?: string; range: TextRange; message: string };
    /** For `partial-cycle`: the partials of the loop, first and last the same (`['a', 'b', 'a']`). */
    chain?: string[];
    /** A one-edit fix: replace `range` with `newText`. */
    fix?: { title: string; newText: string };
}

/** Every diagnostic code, with what it means. */
export const diagnosticCodes = {
    'front-matter-unclosed': 'The front matter opened by `---` is never closed.',
    'yaml-syntax': 'The front matter is not valid YAML.',
    'yaml-warning': 'The YAML parser warns about the front matter.',
    'front-matter-not-mapping': 'The front matter is YAML but not a mapping of keys.',
    'unknown-front-matter-key': 'A top-level key Dotprompt ignores.',
    'invalid-front-matter-value': 'A Dotprompt key (model, input, output, …) with a value of the wrong shape.',
    'config-not-mapping': '`config` is not a mapping.',
    'unknown-config-key': 'A `config` key no sampler understands; it would be ignored.',
    'invalid-config-value': 'A `config` value of the wrong type or out of range.',
    'invalid-grammar': '`config.grammar` is not valid GBNF.',
    'grammar-and-schema': '`config.grammar` and `output.schema` both constrain the output.',
    'input-schema': '`input.schema` is not valid Picoschema / JSON schema.',
    'output-schema': '`output.schema` is not valid Picoschema / JSON schema.',
    'invalid-default': 'An `input.default` value does not match `input.schema`.',
    'undeclared-variable': 'The body reads a variable that neither `input.schema` nor `input.default` declares.',
    'template-syntax': 'The Handlebars body does not parse.',
    'template-nesting': 'The body (or a partial) nests blocks deeper than Handlebars can parse and render safely.',
    'unknown-helper': 'A helper that is neither a Handlebars nor a Dotprompt helper.',
    'helper-arguments': 'A helper called with the wrong number of arguments (it would throw while rendering).',
    'unknown-partial': 'A `{{> name}}` partial that cannot be found.',
    'partial-syntax': 'A partial that does not parse.',
    'unreadable-partial': 'A partial that exists but is not read: not a regular file (a link to a device, a FIFO, a folder), too large, or not readable.',
    'partial-cycle': 'A partial that includes itself (directly or through others) outside any condition: it would render forever.',
    'nul-character': 'A NUL byte in the prompt or a partial: binary or UTF-16 text, not a UTF-8 prompt.',
    'unknown-role': 'A `{{role}}` other than system, user or model.',
    'unsupported-media': '`{{media}}`: local text models cannot take media.',
    'nested-promptscope-settings': 'A nested `promptscope:` mapping, which Dotprompt drops.',
    'unknown-promptscope-setting': 'A `promptscope.*` key Promptscope does not know.',
    'invalid-promptscope-setting': 'A `promptscope.*` value of the wrong type or out of range.',
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;
