import type { CliCommand } from './CliCommand';

/** Every subcommand, in the order `promptscope --help` lists them. Add a command by importing it here. */
export const commands: CliCommand[] = [
];
