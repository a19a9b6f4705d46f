import { LineIndex } from '../LineIndex';
import { contextPreservingBlocks, knownHelpers } from './knownHelpers';

/** A span of the template (offsets into the template string). */
export interface TemplateSpan {
    start: number;
    end: number;
}

/** A variable read from the root input, e.g. `{{topic}}`, `{{user.name}}`, `{{@root.topic}}`. */
export interface VariableReference extends TemplateSpan {
    /** First path segment: the input name. */
    name: string;
    /** Every segment, e.g. `['user', 'name']`. */
    path: string[];
}

export interface HelperReference extends TemplateSpan {
    name: string;
    known: boolean;
    block: boolean;
    /** Literal string arguments in order (undefined where an argument is not a string literal), e.g. the role of `{{role "system"}}`. */
    stringArgs: (string | undefined)[];
    /** Names of its hash arguments (`url` in `{{media url=x}}`). */
    hashKeys: string[];
}

export interface PartialReference extends TemplateSpan {
    name: string;
    /** `{{#> name}}fallback{{/name}}`: a missing partial renders the fallback instead of failing. */
    block: boolean;
    /** Whether the partial renders with the root input as its context (not inside `#each`/`#with`, no context argument). */
    rootContext: boolean;
    /** Names the call passes as hash arguments (`{{> card title=x}}`): variables the partial sees besides its context. */
    hashKeys: string[];
    /**
     * Whether it renders only under a condition: inside a block (`#if`, `#each`, …), a block partial's fallback or an
     * inline partial. A partial that includes itself this way can stop (a tree rendered by recursion); unconditionally it cannot.
     */
    conditional: boolean;
}

export interface TemplateReferences {
    variables: VariableReference[];
    helpers: HelperReference[];
    partials: PartialReference[];
    /** Names defined inside the template with `{{#*inline "name"}}`. */
    inlinePartials: Set<string>;
}

interface Scope {
    /** How many context-changing blocks (`#each`, `#with`, sections) enclose this point; 0 is the root input. */
    depth: number;
    /** Block parameters in scope (`as |item index|`). */
    locals: ReadonlySet<string>;
    /** Inside a block, a partial block or an inline partial: what is here may not render. */
    conditional: boolean;
}

// A loose view of Handlebars' AST: only the fields this walk reads.
interface Loc { start: { line: number; column: number }; end: { line: number; column: number } }
interface AstNode { type: string; loc?: Loc }
interface PathNode extends AstNode { type: 'PathExpression'; data: boolean; depth: number; parts: string[]; original: string }
interface HashNode { pairs: { key: string; value: AstNode }[] }
interface CallNode extends AstNode { path: AstNode; params: AstNode[]; hash?: HashNode }
interface BlockNode extends CallNode { program?: ProgramNode; inverse?: ProgramNode }
interface ProgramNode extends AstNode { body: AstNode[]; blockParams?: string[] }
interface PartialNode extends AstNode { name: AstNode & { original?: unknown; value?: unknown }; params: AstNode[]; hash?: HashNode; program?: ProgramNode }

/**
 * Walks a parsed template for what static checks need: root-input variables, helper calls (known or not)
 * and partial references, each with its span. Mirrors how Handlebars' compiler classifies an expression
 * (`helperExpression`, `simpleId`, block params) so "unknown helper" here means the same as at render time.
 */
export function collectReferences(ast: hbs.AST.Program, template: string): TemplateReferences {
    const lines = new LineIndex(template);
    const out: TemplateReferences = { variables: [], helpers: [], partials: [], inlinePartials: new Set() };

    const span = (node: AstNode): TemplateSpan => node.loc === undefined
        ? { start: 0, end: 0 }
        : {
            start: lines.offsetAt({ line: node.loc.start.line - 1, character: node.loc.start.column }),
            end: lines.offsetAt({ line: node.loc.end.line - 1, character: node.loc.end.column }),
        };

    const program = (node: ProgramNode | undefined, scope: Scope): void => {
        if (node === undefined) return;
        for (const statement of node.body) visit(statement, scope);
    };

    const visit = (node: AstNode, scope: Scope): void => {
        switch (node.type) {
            case 'MustacheStatement':
                call(node as CallNode, scope, false);
                break;
            case 'BlockStatement': {
                const block = node as BlockNode;
                const helper = call(block, scope, true);
                const preserves = helper !== undefined && contextPreservingBlocks.has(helper);
                const params = block.program?.blockParams ?? [];
                const inner: Scope = preserves
                    ? { ...scope, conditional: true }
                    : { depth: scope.depth + 1, locals: new Set([...scope.locals, ...params]), conditional: true };
                program(block.program, inner);
                // `{{else}}` of `#each`/`#with` runs against the outer context.
                program(block.inverse, { ...scope, conditional: true });
                break;
            }
            case 'PartialStatement':
            case 'PartialBlockStatement':
                partial(node as PartialNode, scope, node.type === 'PartialBlockStatement');
                break;
            case 'DecoratorBlock': {
                const decorator = node as BlockNode;
                const first = decorator.params[0] as (AstNode & { value?: unknown }) | undefined;
                if ((decorator.path as PathNode).original === 'inline' && typeof first?.value === 'string') {
                    out.inlinePartials.add(first.value);
                }
                // An inline partial's body runs wherever it is used: its context is unknown here.
                program(decorator.program, { depth: scope.depth + 1, locals: scope.locals, conditional: true });
                break;
            }
            default:
                break;
        }
    };

    /** Records a mustache/block/sub-expression; returns the helper name when it is a helper call. */
    const call = (node: CallNode, scope: Scope, block: boolean): string | undefined => {
        const path = node.path as PathNode;
        const hasArgs = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
        const isPath = path.type === 'PathExpression';
        const isLocal = isPath && path.depth === 0 && !path.data && scope.locals.has(path.parts[0] ?? '');
        const simple = isPath && !path.data && path.depth === 0 && path.parts.length === 1 && !/^\.|this\b/.test(path.original);
        const helperCall = !isLocal && isPath && (node.type === 'SubExpression' || hasArgs);
        let helper: string | undefined;
        if (helperCall || (simple && !isLocal && knownHelpers.has(path.parts[0]!))) {
            helper = path.parts[0] ?? path.original;
            out.helpers.push({
                name: helper,
                known: knownHelpers.has(helper),
                block,
                stringArgs: node.params.map(p => p.type === 'StringLiteral' ? String((p as { value?: unknown }).value) : undefined),
                hashKeys: node.hash?.pairs.map(p => p.key) ?? [],
                ...span(path),
            });
        } else if (isPath) {
            variable(path, scope);
        } else {
            expression(node.path, scope);
        }
        for (const param of node.params) expression(param, scope);
        for (const pair of node.hash?.pairs ?? []) expression(pair.value, scope);
        return helper;
    };

    const expression = (node: AstNode, scope: Scope): void => {
        if (node.type === 'PathExpression') variable(node as PathNode, scope);
        else if (node.type === 'SubExpression') call(node as CallNode, scope, false);
    };

    const variable = (path: PathNode, scope: Scope): void => {
        if (path.data) {
            // `@root.x` is the root input; other `@` names are Dotprompt context (`@state`) or loop data (`@index`).
            if (path.parts[0] === 'root' && path.parts.length > 1) {
                out.variables.push({ name: path.parts[1]!, path: path.parts.slice(1), ...span(path) });
            }
            return;
        }
        if (path.parts.length === 0) return;
        if (path.depth === 0 && scope.locals.has(path.parts[0]!)) return;
        if (scope.depth - path.depth !== 0) return;
        out.variables.push({ name: path.parts[0]!, path: [...path.parts], ...span(path) });
    };

    const partial = (node: PartialNode, scope: Scope, block: boolean): void => {
        const name = node.name;
        for (const param of node.params) expression(param, scope);
        for (const pair of node.hash?.pairs ?? []) expression(pair.value, scope);
        if (block) program(node.program, { ...scope, conditional: true });
        // `{{> (expr)}}` is resolved at render time; `{{> @partial-block}}` is the caller's block.
        if (name.type === 'SubExpression') return;
        const partialName = typeof name.original === 'string' ? name.original : String(name.value ?? '');
        if (partialName === '' || partialName.startsWith('@')) return;
        out.partials.push({
            name: partialName,
            block,
            rootContext: scope.depth === 0 && node.params.length === 0,
            hashKeys: node.hash?.pairs.map(p => p.key) ?? [],
            conditional: scope.conditional,
            ...span(name),
        });
    };

    program(ast as unknown as ProgramNode, { depth: 0, locals: new Set(), conditional: false });
    return out;
}
