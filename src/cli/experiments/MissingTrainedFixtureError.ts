/**
 * An experiment's trained fixture (a model or adapter under fixtures/trained/) is not there: names the file and the
 * command that makes it, before any experiment has run, so a missing adapter does not fail an hour in.
 */
export class MissingTrainedFixtureError extends Error {
    readonly file: string;
    readonly command: string;

    constructor(file: string, command: string) {
        super(`${file} is missing: make it with \`${command}\` (or give another file with --model / --lora)`);
        this.name = 'MissingTrainedFixtureError';
        this.file = file;
        this.command = command;
    }
}
