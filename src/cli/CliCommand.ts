import type { ParseArgsConfig } from 'node:util';

/** One `promptscope` subcommand. Each lives in its own file under `src/cli/commands/` and is listed in `commands.ts`. */
export interface CliCommand {
    name: string;
    /** One line for `promptscope --help`. */
    summary: string;
    /** Full usage text for `promptscope NAME --help`. */
    usage: string;
    /** Options in `node:util` parseArgs form; `--help`, `--verbose` and `--json` are added by the dispatcher. */
    options: NonNullable<ParseArgsConfig['options']>;
    /** Whether positional arguments are accepted. Defaults to `false`. */
    allowPositionals?: boolean;
    run(args: CliArgs): Promise<number | void>;
}

export interface CliArgs {
    values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    positionals: string[];
    verbose: boolean;
    json: boolean;
}
