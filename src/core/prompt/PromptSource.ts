import type { PromptDocument } from './PromptDocument';

/**
 * Where a prompt to prepare comes from:
 * - `{path}`: a file, read once; a `.prompt` file is a Dotprompt template, any other file raw text;
 * - `{document}`: a `.prompt` already in memory (an editor's buffer, unsaved changes included);
 * - `{text}`: raw text (the CLI's `--text`, or a plain text file's content with its `file`), sent as one user
 *   message or continued as is.
 */
export type PromptSource =
    | { path: string; document?: undefined; text?: undefined }
    | { document: PromptDocument; path?: undefined; text?: undefined }
    | { text: string; file?: string; path?: undefined; document?: undefined };
