import type { BeamTreeNodeView, BeamTreeView } from '../../shared/protocols/decodingLab';

/**
 * The beam search tree laid out step by step (no DOM, so unit tests check it): column 0 holds the prompt, column s the
 * nodes step s made — its kept beams, then the hypotheses that ended, then a toggle row for the extensions it pruned
 * (followed by them when that step is expanded). Each node links to its parent, a kept beam of the step before.
 */
export type TreeItemKind = 'root' | 'kept' | 'finished' | 'pruned' | 'prunedToggle';

export interface TreeItem {
    /** Unique in the tree: `root`, `S:kept:I`, `S:finished:I`, `S:pruned:I`, `S:toggle`. */
    key: string;
    kind: TreeItemKind;
    step: number;
    row: number;
    /** The runtime's node (not for the root and toggles). */
    node?: BeamTreeNodeView;
    /** The token's own log-probability: the node's cumulative one less its parent's. */
    tokenLogprob?: number;
    /** The parent's key (kept beam of the previous step, or the root); toggles have none. */
    parent?: string;
    /** Pruned extensions a toggle stands for. */
    count?: number;
}

export interface TreeLayout {
    /** Column by column (step 0 = the prompt), each top to bottom. */
    columns: TreeItem[][];
    byKey: ReadonlyMap<string, TreeItem>;
    /** Parent → child links of the items shown. */
    edges: { from: TreeItem; to: TreeItem }[];
    rows: number;
}

export function beamTreeLayout(tree: BeamTreeView, expandedSteps: ReadonlySet<number>): TreeLayout {
    const root: TreeItem = { key: 'root', kind: 'root', step: 0, row: 0 };
    const columns: TreeItem[][] = [[root]];
    const byKey = new Map<string, TreeItem>([[root.key, root]]);
    const edges: { from: TreeItem; to: TreeItem }[] = [];
    for (const step of tree.steps) {
        const column: TreeItem[] = [];
        const add = (kind: 'kept' | 'finished' | 'pruned', nodes: readonly BeamTreeNodeView[]) => nodes.forEach((node, i) => {
            // Step 1 extends the prompt alone (its parent index is 0, or -1 where a search writes it so).
            const parent = step.step === 1 || node.parent < 0 ? root : byKey.get(`${step.step - 1}:kept:${node.parent}`);
            const parentLogprob = parent?.node?.logprob ?? 0;
            const item: TreeItem = {
                key: `${step.step}:${kind}:${i}`, kind, step: step.step, row: column.length, node, tokenLogprob: node.logprob - parentLogprob,
                ...(parent !== undefined ? { parent: parent.key } : {}),
            };
            column.push(item);
            byKey.set(item.key, item);
            if (parent !== undefined) edges.push({ from: parent, to: item });
        });
        add('kept', step.kept);
        add('finished', step.finished);
        if (step.pruned.length > 0) {
            const toggle: TreeItem = { key: `${step.step}:toggle`, kind: 'prunedToggle', step: step.step, row: column.length, count: step.pruned.length };
            column.push(toggle);
            byKey.set(toggle.key, toggle);
            if (expandedSteps.has(step.step)) add('pruned', step.pruned);
        }
        columns.push(column);
    }
    return { columns, byKey, edges, rows: Math.max(...columns.map(c => c.length)) };
}

/**
 * Where a key moves the focus from item `key` (undefined: nowhere, or not a movement key). Up and Down go along a
 * step, Home and End to its first and last item; Left goes to the parent (a toggle: to the step before), Right to
 * the first child in the next step (the root: step 1's first item).
 */
export function treeMove(layout: TreeLayout, key: string, pressed: string): string | undefined {
    const item = layout.byKey.get(key);
    if (item === undefined) return undefined;
    const column = layout.columns[item.step]!;
    switch (pressed) {
        case 'ArrowUp': return column[Math.max(0, item.row - 1)]!.key;
        case 'ArrowDown': return column[Math.min(column.length - 1, item.row + 1)]!.key;
        case 'Home': return column[0]!.key;
        case 'End': return column[column.length - 1]!.key;
        case 'ArrowLeft':
            if (item.parent !== undefined) return item.parent;
            return item.step > 0 ? layout.columns[item.step - 1]![0]!.key : undefined;
        case 'ArrowRight': {
            const next = layout.columns[item.step + 1];
            if (next === undefined) return undefined;
            return (item.kind === 'prunedToggle' ? next[0] : next.find(child => child.parent === key))?.key;
        }
        default: return undefined;
    }
}

/** The nodes from the prompt to `key`'s node (the path a beam took); none for the prompt and the pruned toggles. */
export function pathTo(layout: TreeLayout, key: string): (TreeItem & { node: BeamTreeNodeView })[] {
    const path: (TreeItem & { node: BeamTreeNodeView })[] = [];
    for (let item = layout.byKey.get(key); item?.node !== undefined; item = item.parent === undefined ? undefined : layout.byKey.get(item.parent)) {
        path.unshift(item as TreeItem & { node: BeamTreeNodeView });
    }
    return path;
}
