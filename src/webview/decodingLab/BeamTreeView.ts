import { el } from '../shared/dom';
import { heat, heatColor } from '../tokenProbabilities/colorScale';
import { quotedToken } from '../tokenProbabilities/displayText';
import { formatProbability } from '../../core/panels/tokenProbabilities/metrics';
import type { BeamTreeView as BeamTree } from '../../shared/protocols/decodingLab';
import { beamTreeLayout, pathTo, treeMove, type TreeItem, type TreeLayout } from './beamTreeLayout';

const columnWidth = 128;
const rowHeight = 28;
const svgNs = 'http://www.w3.org/2000/svg';

/** What the tree keeps between renders (the page stores it with its state). */
export interface TreeViewState {
    expanded: number[];
    /** The item with the focus stop (and whose details show). */
    selected?: string;
}

function describe(item: TreeItem, layout: TreeLayout): string {
    switch (item.kind) {
        case 'root': return 'The prompt: the root of the search';
        case 'prunedToggle': return `Step ${item.step}: ${item.count} extension${item.count === 1 ? '' : 's'} pruned`;
        default: {
            const node = item.node!;
            const parent = item.parent === undefined ? undefined : layout.byKey.get(item.parent);
            const from = parent === undefined || parent.kind === 'root' ? 'from the prompt' : `after beam ${parent.row + 1} of step ${parent.step}`;
            const what = item.kind === 'kept' ? `kept beam ${item.row + 1}` : item.kind === 'finished' ? 'ended hypothesis' : 'pruned extension';
            return `Step ${item.step}, ${what}: ${quotedToken(node.text)} ${from}; token P ${formatProbability(Math.exp(item.tokenLogprob!))}, `
                + `log P ${node.logprob.toFixed(4)}, score ${node.score.toFixed(4)}`
                + (node.group === undefined ? '' : `; group ${node.group + 1}`)
                + (node.penalty === undefined ? '' : `, ranked at log P − ${node.penalty.toFixed(2)} (diversity penalty)`);
        }
    }
}

/**
 * The beam search tree of a beam column, drawn step by step: a column per step with its kept beams, the hypotheses
 * that ended and a toggle for the pruned extensions, lines from each node to its parent (dashed to pruned ones), each
 * node coloured by its token's probability like the token chips. One tab stop (roving tabindex); the arrow keys walk
 * the tree (see treeMove), Enter or Space opens a step's pruned extensions; the focused node's path and figures show
 * below. Model text is textContent only.
 */
export class BeamTreeView {
    readonly element = el('section', { className: 'beam-tree-section' });

    constructor(private readonly tree: BeamTree, private readonly state: TreeViewState, private readonly label: string, private readonly save: () => void) {
        this.render();
    }

    private render(): void {
        const layout = beamTreeLayout(this.tree, new Set(this.state.expanded));
        if (this.state.selected === undefined || !layout.byKey.has(this.state.selected)) this.state.selected = 'root';
        const width = layout.columns.length * columnWidth;
        const height = layout.rows * rowHeight;
        const canvas = el('div', { className: 'beam-tree', attrs: { role: 'tree', 'aria-label': `${this.label}: beam search tree` } });
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
        const svg = document.createElementNS(svgNs, 'svg');
        svg.setAttribute('width', String(width));
        svg.setAttribute('height', String(height));
        svg.setAttribute('aria-hidden', 'true');
        svg.classList.add('beam-edges');
        for (const { from, to } of layout.edges) {
            const line = document.createElementNS(svgNs, 'line');
            line.setAttribute('x1', String(from.step * columnWidth + columnWidth - 12));
            line.setAttribute('y1', String(from.row * rowHeight + rowHeight / 2));
            line.setAttribute('x2', String(to.step * columnWidth + 2));
            line.setAttribute('y2', String(to.row * rowHeight + rowHeight / 2));
            line.classList.add(`edge-${to.kind}`);
            svg.append(line);
        }
        canvas.append(svg);
        const items = new Map<string, HTMLElement>();
        for (const column of layout.columns) {
            for (const item of column) {
                const node = el('div', {
                    className: `beam-node ${item.kind}`,
                    text: item.kind === 'root' ? 'prompt' : item.kind === 'prunedToggle' ? `${this.state.expanded.includes(item.step) ? '▾' : '▸'} ${item.count} pruned` : `${quotedToken(item.node!.text)} ${item.node!.logprob.toFixed(2)}`,
                    title: describe(item, layout),
                    attrs: {
                        role: 'treeitem', 'aria-label': describe(item, layout), 'aria-level': String(item.step + 1),
                        'aria-posinset': String(item.row + 1), 'aria-setsize': String(column.length), 'data-key': item.key,
                        'aria-selected': String(item.key === this.state.selected),
                        ...(item.kind === 'prunedToggle' ? { 'aria-expanded': String(this.state.expanded.includes(item.step)) } : {}),
                    },
                });
                node.style.left = `${item.step * columnWidth}px`;
                node.style.top = `${item.row * rowHeight}px`;
                node.style.width = `${columnWidth - 16}px`;
                if (item.tokenLogprob !== undefined) node.style.background = heatColor(heat('probability', Math.exp(item.tokenLogprob)));
                node.tabIndex = item.key === this.state.selected ? 0 : -1;
                node.addEventListener('focus', () => this.select(item.key, layout, items));
                node.addEventListener('click', () => {
                    if (item.kind === 'prunedToggle') this.toggle(item.step);
                    else items.get(item.key)?.focus();
                });
                items.set(item.key, node);
                canvas.append(node);
            }
        }
        canvas.addEventListener('keydown', event => {
            const current = this.state.selected ?? 'root';
            if (event.key === 'Enter' || event.key === ' ') {
                const item = layout.byKey.get(current);
                if (item?.kind === 'prunedToggle') {
                    event.preventDefault();
                    this.toggle(item.step);
                }
                return;
            }
            const next = treeMove(layout, current, event.key);
            if (next === undefined) return;
            event.preventDefault();
            items.get(next)?.focus();
            items.get(next)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        });
        const details = el('p', { className: 'beam-details', attrs: { 'aria-live': 'polite' } });
        this.element.replaceChildren(
            el('h4', { text: `Search tree: ${this.tree.steps.length} steps, ${this.tree.decodeCalls} batched decodes` }),
            el('p', { className: 'hint', text: 'Arrow keys walk the tree (Right: a child, Left: the parent, Up/Down: along a step); Enter opens a step\'s pruned extensions.' }),
            el('div', { className: 'beam-tree-scroll' }, canvas),
            details,
        );
        this.showDetails(layout, details);
    }

    private select(key: string, layout: TreeLayout, items: Map<string, HTMLElement>): void {
        if (this.state.selected !== key) {
            for (const [k, node] of items) {
                node.tabIndex = k === key ? 0 : -1;
                node.setAttribute('aria-selected', String(k === key));
            }
            this.state.selected = key;
            this.save();
        }
        this.showDetails(layout, this.element.querySelector<HTMLElement>('.beam-details')!);
    }

    private showDetails(layout: TreeLayout, details: HTMLElement): void {
        const item = layout.byKey.get(this.state.selected ?? 'root');
        if (item === undefined) return;
        const path = pathTo(layout, item.key);
        details.replaceChildren(
            el('span', { text: describe(item, layout) }),
            ...(path.length > 0 ? [el('br'), el('span', { className: 'hint', text: 'Path: ' }), el('code', { text: path.map(p => p.node.text).join('') })] : []),
        );
    }

    private toggle(step: number): void {
        const at = this.state.expanded.indexOf(step);
        if (at >= 0) this.state.expanded.splice(at, 1);
        else this.state.expanded.push(step);
        this.state.selected = `${step}:toggle`;
        this.save();
        this.render();
        this.element.querySelector<HTMLElement>(`[data-key="${step}:toggle"]`)?.focus();
    }
}
