import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forgetModel, parseRecentModels, rememberModel, sameModelRef } from '../../src/core/model/recentModels';

test('rememberModel puts the model first, once, and caps the list', () => {
    let list = rememberModel([], { ref: '/m/a.gguf', lastUsed: 1 });
    list = rememberModel(list, { ref: '/m/b.gguf', lastUsed: 2 });
    list = rememberModel(list, { ref: '/m/./a.gguf', name: 'A', lastUsed: 3 });
    assert.deepEqual(list.map(m => m.ref), ['/m/./a.gguf', '/m/b.gguf']);
    assert.equal(list[0]!.name, 'A');
    for (let i = 0; i < 20; i++) list = rememberModel(list, { ref: `/m/${i}.gguf`, lastUsed: 10 + i }, 5);
    assert.equal(list.length, 5);
    assert.equal(list[0]!.ref, '/m/19.gguf');
});

test('forgetModel removes the model however its path is spelled', () => {
    const list = [{ ref: '/m/a.gguf', lastUsed: 2 }, { ref: 'hf:o/r:Q4_K_M', lastUsed: 1 }];
    assert.deepEqual(forgetModel(list, '/m//a.gguf').map(m => m.ref), ['hf:o/r:Q4_K_M']);
    assert.deepEqual(forgetModel(list, 'hf:o/r:Q4_K_M').map(m => m.ref), ['/m/a.gguf']);
});

test('sameModelRef follows the platform\'s path case rules', () => {
    assert.ok(sameModelRef('/M/a.gguf', '/m/A.gguf', 'darwin'));
    assert.ok(!sameModelRef('/M/a.gguf', '/m/A.gguf', 'linux'));
    assert.ok(!sameModelRef('hf:o/r:Q4_K_M', 'hf:o/r:q4_k_m', 'linux'));
});

test('parseRecentModels survives whatever is stored', () => {
    assert.deepEqual(parseRecentModels(undefined), []);
    assert.deepEqual(parseRecentModels('garbage'), []);
    const parsed = parseRecentModels([
        null, 7, { ref: '' }, { ref: 3 },
        { ref: '/m/old.gguf', lastUsed: 1 },
        { ref: '/m/new.gguf', name: 'New', lastUsed: 5 },
        { ref: '/m/new.gguf', lastUsed: 4 },
        { ref: '/m/undated.gguf', lastUsed: 'yesterday', name: 42 },
    ]);
    assert.deepEqual(parsed, [
        { ref: '/m/new.gguf', name: 'New', lastUsed: 5 },
        { ref: '/m/old.gguf', lastUsed: 1 },
        { ref: '/m/undated.gguf', lastUsed: 0 },
    ]);
});
