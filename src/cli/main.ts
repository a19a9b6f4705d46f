import { parseArgs } from 'node:util';
import { commands } from './commands';
import { exitStatus, guardOutputStreams } from './outputStreams';
import { checkKnownFlags, joinNegativeNumbers } from './parseFlags';
import { UsageError } from './UsageError';
import { CancelledError } from '../shared/errors/CancelledError';
import { EnvironmentVariableError } from '../shared/errors/EnvironmentVariableError';
import type { CliCommand } from './CliCommand';

const commonOptions = {
    help: { type: 'boolean', short: 'h' },
    verbose: { type: 'boolean' },
    json: { type: 'boolean' },
} as const;

function topLevelHelp(): string {
    const width = Math.max(...commands.map(c => c.name.length), 4);
    return [
        'Usage: promptscope <command> [options]',
        '',
        'Commands:',
        ...commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
        '',
        'Run `promptscope <command> --help` for a command\'s options.',
    ].join('\n');
}

/** `parseArgs` explains some mistakes over several lines; a usage error is one. */
function oneLine(message: string): string {
    return message.split(/\r?\n/).map(line => line.trim()).filter(line => line !== '').join(' ');
}

/** The line after a usage error: where the options are listed. */
function seeHelp(command?: CliCommand): string {
    return `see \`promptscope ${command === undefined ? '' : command.name + ' '}--help\``;
}

async function runCommand(command: CliCommand, argv: string[]): Promise<number> {
    const options = { ...command.options, ...commonOptions };
    const args = joinNegativeNumbers(argv, options);
    checkKnownFlags(args, options);
    let parsed;
    try {
        parsed = parseArgs({
            args,
            options,
            allowPositionals: command.allowPositionals ?? false,
            strict: true,
        });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (parsed.values.help) {
        process.stdout.write(command.usage.trimEnd() + '\n');
        return 0;
    }
    const code = await command.run({
        values: parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>,
        positionals: parsed.positionals,
        verbose: parsed.values.verbose === true,
        json: parsed.values.json === true,
    });
    return code ?? 0;
}

export async function main(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        process.stdout.write(topLevelHelp() + '\n');
        return name === undefined ? 2 : 0;
    }
    const command = commands.find(c => c.name === name);
    if (command === undefined) {
        process.stderr.write(`promptscope: unknown command "${name}" (commands: ${commands.map(c => c.name).join(', ')})\n${seeHelp()}\n`);
        return 2;
    }
    const verbose = rest.includes('--verbose');
    try {
        return await runCommand(command, rest);
    } catch (error) {
        // One line that says what is wrong and how to fix it, then where the options are listed: a whole usage
        // text after it would push the line that matters off the screen.
        if (error instanceof UsageError) {
            process.stderr.write(`promptscope ${command.name}: ${oneLine(error.message)}\n${seeHelp(command)}\n`);
            return 2;
        }
        // A setting in the environment is as much a part of the call as a flag (the usage status), but --help does not list it.
        if (error instanceof EnvironmentVariableError) {
            process.stderr.write(`promptscope ${command.name}: ${error.message}\n`);
            return 2;
        }
        // Ctrl-C before there was anything to print (during a download or load): the status a shell expects of SIGINT.
        if (error instanceof CancelledError) {
            process.stderr.write(`promptscope ${command.name}: ${error.message}\n`);
            return 130;
        }
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`promptscope ${command.name}: ${message}\n`);
        if (verbose && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
        return 1;
    }
}

guardOutputStreams();
main(process.argv.slice(2)).then(
    code => { process.exitCode = exitStatus(code); },
    error => { process.stderr.write(`promptscope: ${String(error)}\n`); process.exitCode = 1; },
);
