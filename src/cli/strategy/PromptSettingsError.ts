/** A `promptscope.*` front-matter setting that is invalid (the editor shows it as a diagnostic; the CLI refuses to run). */
export class PromptSettingsError extends Error {
    readonly file: string;

    constructor(file: string, detail: string) {
        super(`${file}: ${detail}`);
        this.name = 'PromptSettingsError';
        this.file = file;
    }
}
