import type { TraceNode } from '../../shared/reasoningTrace';

/** One row of the trace tree as shown: a node whose ancestors are all expanded. */
export interface VisibleTraceNode {
    node: TraceNode;
    /** 1 for a root. */
    level: number;
    parent: string | undefined;
}

/** The nodes shown, in document order, when the nodes in `collapsed` hide their children. */
export function visibleTraceNodes(roots: readonly TraceNode[], collapsed: ReadonlySet<string>): VisibleTraceNode[] {
    const rows: VisibleTraceNode[] = [];
    const walk = (node: TraceNode, level: number, parent: string | undefined) => {
        rows.push({ node, level, parent });
        if (!collapsed.has(node.id)) for (const child of node.children) walk(child, level + 1, node.id);
    };
    for (const root of roots) walk(root, 1, undefined);
    return rows;
}

/** What a key does in the tree: move the focus to a node, or open / close one (the WAI-ARIA tree view pattern). */
export type TraceKeyAction = { focus: string } | { expand: string } | { collapse: string };

/**
 * The action of `key` on the focused node `current`: Up/Down the previous/next shown node, Right opens a closed node
 * or goes to its first child, Left closes an open node or goes to its parent, Home/End the first/last shown node,
 * Enter/Space open or close; undefined when the key does nothing there.
 */
export function traceKeyAction(roots: readonly TraceNode[], collapsed: ReadonlySet<string>, current: string, key: string): TraceKeyAction | undefined {
    const rows = visibleTraceNodes(roots, collapsed);
    const at = rows.findIndex(r => r.node.id === current);
    if (at < 0) return rows.length > 0 ? { focus: rows[0]!.node.id } : undefined;
    const row = rows[at]!;
    const hasChildren = row.node.children.length > 0;
    const open = hasChildren && !collapsed.has(row.node.id);
    switch (key) {
        case 'ArrowDown': return at + 1 < rows.length ? { focus: rows[at + 1]!.node.id } : undefined;
        case 'ArrowUp': return at > 0 ? { focus: rows[at - 1]!.node.id } : undefined;
        case 'Home': return at > 0 ? { focus: rows[0]!.node.id } : undefined;
        case 'End': return at < rows.length - 1 ? { focus: rows.at(-1)!.node.id } : undefined;
        case 'ArrowRight':
            if (!hasChildren) return undefined;
            return open ? { focus: row.node.children[0]!.id } : { expand: row.node.id };
        case 'ArrowLeft':
            if (open) return { collapse: row.node.id };
            return row.parent !== undefined ? { focus: row.parent } : undefined;
        case 'Enter': case ' ':
            if (!hasChildren) return undefined;
            return open ? { collapse: row.node.id } : { expand: row.node.id };
        default: return undefined;
    }
}

/** The node with id `id`, if any. */
export function findTraceNode(roots: readonly TraceNode[], id: string): TraceNode | undefined {
    for (const root of roots) {
        if (root.id === id) return root;
        const found = findTraceNode(root.children, id);
        if (found) return found;
    }
    return undefined;
}
