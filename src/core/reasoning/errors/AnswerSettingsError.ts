/**
 * An answer extraction or mapping setting that cannot work: a regex without a capture group, an empty marker,
 * a surface form claimed by two labels, a sample count below 1. Raised before anything is generated.
 */
export class AnswerSettingsError extends Error {
    /** The offending setting, e.g. `pattern`, `labels.positive` or `samples`. */
    readonly setting: string;

    constructor(setting: string, detail: string) {
        super(`Invalid answer setting ${setting}: ${detail}`);
        this.name = 'AnswerSettingsError';
        this.setting = setting;
    }
}
