// Keyboard walking of the reasoning trace tree (the WAI-ARIA tree view pattern): Up/Down along the shown nodes,
// Right opens or enters, Left closes or goes to the parent, Home/End, Enter/Space toggle; closed nodes hide children.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTraceNode, traceKeyAction, visibleTraceNodes } from '../../src/webview/shared/traceTreeNavigation';
import type { TraceNode } from '../../src/shared/reasoningTrace';

const node = (id: string, children: TraceNode[] = []): TraceNode => ({ id, kind: 'thought', title: id, children });
const roots = [node('0', [node('0.0', [node('0.0.0')]), node('0.1')]), node('1')];

test('shown nodes follow the open ones, with their level and parent', () => {
    assert.deepEqual(visibleTraceNodes(roots, new Set()).map(r => [r.node.id, r.level, r.parent]),
        [['0', 1, undefined], ['0.0', 2, '0'], ['0.0.0', 3, '0.0'], ['0.1', 2, '0'], ['1', 1, undefined]]);
    assert.deepEqual(visibleTraceNodes(roots, new Set(['0'])).map(r => r.node.id), ['0', '1']);
    assert.equal(findTraceNode(roots, '0.0.0')?.title, '0.0.0');
    assert.equal(findTraceNode(roots, '2'), undefined);
});

test('keys move, open and close as a tree view does', () => {
    const none = new Set<string>();
    assert.deepEqual(traceKeyAction(roots, none, '0', 'ArrowDown'), { focus: '0.0' });
    assert.deepEqual(traceKeyAction(roots, none, '0.0.0', 'ArrowDown'), { focus: '0.1' });
    assert.deepEqual(traceKeyAction(roots, none, '0.1', 'ArrowUp'), { focus: '0.0.0' });
    assert.equal(traceKeyAction(roots, none, '1', 'ArrowDown'), undefined);
    assert.equal(traceKeyAction(roots, none, '0', 'ArrowUp'), undefined);
    assert.deepEqual(traceKeyAction(roots, none, '0', 'ArrowRight'), { focus: '0.0' });
    assert.deepEqual(traceKeyAction(roots, new Set(['0']), '0', 'ArrowRight'), { expand: '0' });
    assert.equal(traceKeyAction(roots, none, '0.1', 'ArrowRight'), undefined, 'a leaf has nothing to open');
    assert.deepEqual(traceKeyAction(roots, none, '0', 'ArrowLeft'), { collapse: '0' });
    assert.deepEqual(traceKeyAction(roots, none, '0.0.0', 'ArrowLeft'), { focus: '0.0' });
    assert.equal(traceKeyAction(roots, new Set(['0']), '0', 'ArrowLeft'), undefined);
    assert.deepEqual(traceKeyAction(roots, none, '0.1', 'Home'), { focus: '0' });
    assert.deepEqual(traceKeyAction(roots, none, '0.1', 'End'), { focus: '1' });
    assert.deepEqual(traceKeyAction(roots, new Set(['0']), '1', 'ArrowUp'), { focus: '0' }, 'a closed node\'s children are skipped');
    assert.deepEqual(traceKeyAction(roots, none, '0.0', 'Enter'), { collapse: '0.0' });
    assert.deepEqual(traceKeyAction(roots, new Set(['0.0']), '0.0', ' '), { expand: '0.0' });
    assert.equal(traceKeyAction(roots, none, '0', 'a'), undefined);
    // A focus on a node no longer shown goes back to the first one.
    assert.deepEqual(traceKeyAction(roots, new Set(['0']), '0.0.0', 'ArrowDown'), { focus: '0' });
});
