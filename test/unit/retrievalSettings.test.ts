// The promptscope.retrieval.* settings: their defaults in package.json are core's, the typed reading of include /
// exclude (defaults when unset, a bad glob named by its setting), and the watch setting on by default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultExclude, defaultInclude } from '../../src/core/retrieval';
import { readRetrievalSelection } from '../../src/vscode/retrieval/retrievalSettings';

test('the settings defaults in package.json are the core defaults, and the watch setting defaults to on', () => {
    const properties = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).contributes.configuration.properties;
    assert.deepEqual(properties['promptscope.retrieval.include'].default, defaultInclude);
    assert.deepEqual(properties['promptscope.retrieval.exclude'].default, defaultExclude);
    assert.equal(properties['promptscope.retrieval.watch'].default, true);
});

test('the settings: defaults when unset, the lists given, and a bad glob named by its setting', () => {
    assert.deepEqual(readRetrievalSelection(() => undefined), { selection: { include: [...defaultInclude], exclude: [...defaultExclude] } });
    const values: Record<string, unknown> = { 'retrieval.include': ['docs/**/*.md'], 'retrieval.exclude': [] };
    assert.deepEqual(readRetrievalSelection(key => values[key]), { selection: { include: ['docs/**/*.md'], exclude: [] } });
    const bad = readRetrievalSelection(key => ({ 'retrieval.exclude': ['**/{a,b'] } as Record<string, unknown>)[key]);
    assert.match(bad.problem!, /^promptscope\.retrieval\.exclude: "\*\*\/\{a,b" does not parse/);
    assert.match(readRetrievalSelection(key => (key === 'retrieval.include' ? 'docs' : undefined)).selection!.include[0]!, /^docs$/);
    assert.match(readRetrievalSelection(key => (key === 'retrieval.include' ? [] : undefined)).problem!, /promptscope\.retrieval\.include: is empty/);
});
