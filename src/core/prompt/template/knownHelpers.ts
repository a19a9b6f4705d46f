/** Helpers built into Handlebars itself. */
export const handlebarsHelpers = ['if', 'unless', 'each', 'with', 'lookup', 'log'] as const;

/**
 * Helpers Dotprompt 1.1.2 registers (its `helpers.ts`). A unit test renders each through Dotprompt,
 * so an upgrade that renames or drops one fails there rather than in users' diagnostics.
 */
export const dotpromptHelpers = ['json', 'role', 'history', 'section', 'media', 'ifEquals', 'unlessEquals'] as const;

export const knownHelpers: ReadonlySet<string> = new Set<string>([...handlebarsHelpers, ...dotpromptHelpers]);

/** Block helpers whose body runs with the same `this` as outside; the body of any other block sees a new context. */
export const contextPreservingBlocks: ReadonlySet<string> = new Set(['if', 'unless', 'ifEquals', 'unlessEquals']);

/** Roles Dotprompt turns `{{role "…"}}` into and our chat runtime understands. */
export const chatRoles = ['system', 'user', 'model'] as const;
