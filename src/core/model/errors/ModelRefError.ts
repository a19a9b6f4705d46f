/** A model or adapter reference from a setting or file that cannot be turned into something loadable. */
export class ModelRefError extends Error {
    readonly ref: string;
    /** Where the reference came from, e.g. `promptscope.model`. */
    readonly setting: string;

    constructor(ref: string, setting: string, problem: string) {
        super(`Cannot use ${setting} "${ref}": ${problem}.`);
        this.name = 'ModelRefError';
        this.ref = ref;
        this.setting = setting;
    }
}
