import { el } from './dom';
import { traceStatusMarks, type ReasoningTrace, type TraceNode } from '../../shared/reasoningTrace';
import { findTraceNode, traceKeyAction, visibleTraceNodes } from './traceTreeNavigation';

/** What the view keeps between renders (the page stores it with its state). */
export interface TraceViewState {
    /** Nodes whose children are hidden; every node starts open. */
    collapsed: string[];
    /** The node with the focus stop, whose details show below the tree. */
    selected?: string;
}

const kindNames: Record<TraceNode['kind'], string> = {
    output: 'output', reasoning: 'reasoning', path: 'sampled path', variant: 'prompt variant', chain: 'self-ask chain', followUp: 'follow-up question',
    intermediate: 'intermediate answer', final: 'final answer', search: 'tree search', thought: 'thought', program: 'program', printed: 'printed output', error: 'error',
};

function describe(node: TraceNode): string {
    const facts = [
        kindNames[node.kind],
        node.status === undefined ? undefined : node.status === 'best' ? 'on the best path' : node.status,
        node.visit === undefined ? undefined : `visit ${node.visit} of the depth-first search`,
        node.value === undefined ? undefined : `value ${node.value.toFixed(3)}`,
        node.answer === undefined ? undefined : `answer ${node.answer ?? 'unmapped'}`,
        node.seed === undefined ? undefined : `seed ${node.seed}`,
        node.passage === undefined ? undefined : `retrieved from ${node.passage.file} lines ${node.passage.startLine}–${node.passage.endLine}, score ${node.passage.score.toFixed(3)}`,
        node.failure === undefined ? undefined : `failed: ${node.failure.kind}`,
    ].filter(f => f !== undefined);
    return facts.join('; ');
}

/**
 * The reasoning trace of one run (ReasoningTrace), as the evaluation panel's rows and the Run trace panel show it: a
 * tree of its paths, chains, searches or programs (thoughts with their values, pruned ones marked; follow-ups with
 * their answers and passages; programs with their output and errors), the vote above it, and the focused node's whole
 * text and figures below. One tab stop; the arrow keys walk the tree (see traceKeyAction). Model text is textContent only.
 */
export class ReasoningTraceView {
    readonly element = el('section', { className: 'reasoning-trace' });

    constructor(private readonly trace: ReasoningTrace, private readonly state: TraceViewState, private readonly label: string, private readonly save: () => void) {
        this.render();
    }

    private render(focus = false): void {
        const collapsed = new Set(this.state.collapsed);
        const rows = visibleTraceNodes(this.trace.roots, collapsed);
        if (this.state.selected === undefined || !rows.some(r => r.node.id === this.state.selected)) this.state.selected = rows[0]?.node.id;
        const tree = el('ul', { className: 'trace-tree', attrs: { role: 'tree', 'aria-label': `${this.label}: reasoning trace` } });
        const items = new Map<string, HTMLElement>();
        // Nested lists, so that the tree's structure is the document's (screen readers announce levels and groups).
        const groups = new Map<string | undefined, HTMLElement>([[undefined, tree]]);
        for (const { node, level, parent } of rows) {
            const hasChildren = node.children.length > 0;
            const open = hasChildren && !collapsed.has(node.id);
            const item = el('li', {
                className: `trace-node ${node.kind}${node.status ? ` ${node.status}` : ''}`,
                title: describe(node),
                attrs: {
                    role: 'treeitem', 'aria-level': String(level), 'aria-selected': String(node.id === this.state.selected), 'data-id': node.id,
                    ...(hasChildren ? { 'aria-expanded': String(open) } : {}),
                },
            });
            const row = el('span', { className: 'trace-row' },
                el('span', { className: 'twisty', text: hasChildren ? (open ? '▾' : '▸') : '', attrs: { 'aria-hidden': 'true' } }),
                node.status ? el('span', { className: `mark ${node.status}`, text: traceStatusMarks[node.status], attrs: { 'aria-hidden': 'true' } }) : undefined,
                el('span', { className: 'kind', text: kindNames[node.kind] }),
                el('span', { className: 'trace-title', text: node.title }),
                node.value === undefined ? undefined : valueBar(node.value));
            item.append(row);
            item.tabIndex = node.id === this.state.selected ? 0 : -1;
            item.addEventListener('focus', event => {
                if (event.target === item) this.select(node.id, items);
            });
            row.addEventListener('click', event => {
                event.stopPropagation();
                if (hasChildren && (event.target as HTMLElement).classList.contains('twisty')) this.toggle(node.id);
                else item.focus();
            });
            items.set(node.id, item);
            groups.get(parent)!.append(item);
            if (hasChildren && open) {
                const group = el('ul', { attrs: { role: 'group' } });
                item.append(group);
                groups.set(node.id, group);
            }
        }
        tree.addEventListener('keydown', event => {
            const action = traceKeyAction(this.trace.roots, new Set(this.state.collapsed), this.state.selected ?? '', event.key);
            if (action === undefined) return;
            event.preventDefault();
            event.stopPropagation();
            if ('focus' in action) {
                items.get(action.focus)?.focus();
                items.get(action.focus)?.scrollIntoView({ block: 'nearest' });
            } else {
                this.toggle('expand' in action ? action.expand : action.collapse);
            }
        });
        const details = el('div', { className: 'trace-details', attrs: { 'aria-live': 'polite' } });
        this.element.replaceChildren(
            ...(this.trace.vote ? [voteLine(this.trace)] : []),
            el('p', { className: 'hint', text: 'Arrow keys walk the trace (Right opens or enters a node, Left closes it or goes to its parent, Home/End); the focused node\'s text shows below.' }),
            tree,
            details,
        );
        this.showDetails(details);
        if (focus) items.get(this.state.selected ?? '')?.focus();
    }

    private select(id: string, items: Map<string, HTMLElement>): void {
        if (this.state.selected !== id) {
            for (const [key, item] of items) {
                item.tabIndex = key === id ? 0 : -1;
                item.setAttribute('aria-selected', String(key === id));
            }
            this.state.selected = id;
            this.save();
        }
        this.showDetails(this.element.querySelector<HTMLElement>('.trace-details')!);
    }

    private showDetails(details: HTMLElement): void {
        const node = findTraceNode(this.trace.roots, this.state.selected ?? '');
        if (node === undefined) {
            details.replaceChildren();
            return;
        }
        details.replaceChildren(
            el('p', { className: 'trace-facts', text: describe(node) }),
            ...(node.text !== undefined && node.text !== '' ? [el('pre', { className: `trace-text ${node.kind}`, text: node.text })] : []),
            ...(node.failure ? [el('p', { className: 'trace-error', text: `${node.failure.kind}: ${node.failure.message}` })] : []),
        );
    }

    private toggle(id: string): void {
        const at = this.state.collapsed.indexOf(id);
        if (at >= 0) this.state.collapsed.splice(at, 1);
        else this.state.collapsed.push(id);
        this.state.selected = id;
        this.save();
        this.render(true);
    }
}

function valueBar(value: number): HTMLElement {
    const fill = el('span', { className: 'fill' });
    fill.style.width = `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
    return el('span', { className: 'value', attrs: { 'aria-hidden': 'true' } }, el('span', { className: 'track' }, fill), el('span', { text: value.toFixed(2) }));
}

function voteLine(trace: ReasoningTrace): HTMLElement {
    const vote = trace.vote!;
    const votes = Object.entries(vote.votes).sort(([, a], [, b]) => b - a).map(([answer, n]) => `${answer} ×${n}`).join(', ') || 'none';
    const weights = vote.weights === undefined ? '' : `; weighted: ${Object.entries(vote.weights).map(([a, w]) => `${a} ${w.toFixed(3)}`).join(', ')}`;
    return el('p', { className: 'trace-vote', text: `Votes: ${votes}; unmapped ${vote.unmapped}; agreement ${Math.round(vote.agreement * 100)}%${vote.tie ? ` (tie between ${vote.tied.join(', ')}: the first wins)` : ''}${weights} → ${trace.answer ?? 'no answer'}` });
}
