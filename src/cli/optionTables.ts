/**
 * Builders for `parseArgs` option tables, so a command lists its flags by name instead of restating each
 * flag's type (`CliCommand.options`). Repeatable and short flags are still written out where they are declared.
 */

/** Flags that take a value (`--name VALUE`); the command parses and checks the string itself. */
export function stringOptions<Name extends string>(...names: Name[]): Record<Name, { type: 'string' }> {
    return Object.fromEntries(names.map(name => [name, { type: 'string' }])) as Record<Name, { type: 'string' }>;
}

/** Switches (`--name`), true when given. */
export function booleanOptions<Name extends string>(...names: Name[]): Record<Name, { type: 'boolean' }> {
    return Object.fromEntries(names.map(name => [name, { type: 'boolean' }])) as Record<Name, { type: 'boolean' }>;
}
