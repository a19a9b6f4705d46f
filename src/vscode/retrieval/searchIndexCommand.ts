import type { CommandFactory } from '../commands';
import { IndexSearch } from './IndexSearch';

/**
 * `promptscope.searchIndex`: from the palette (pick an index when there are several, then the search box), or with an
 * index (its folder or its path relative to the workspace folder) and a query (tests, other features), which searches
 * without asking. Resolves with the last search's outcome, `undefined` when none ran.
 */
export const searchIndexCommand: CommandFactory = ctx => {
    const search = new IndexSearch({ models: ctx.models, log: ctx.log });
    return (index?: unknown, query?: unknown) => search.search(typeof index === 'string' ? index : undefined, typeof query === 'string' ? query : undefined);
};
