import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseSetting, decidePathTrust } from '../../src/vscode/workspaceTrust';

const nonEmpty = (value: string) => value.trim() !== '';

test('a model from user settings or the default is the user\'s own choice', () => {
    assert.deepEqual(chooseSetting({ defaultValue: '', globalValue: '/m/a.gguf' }, nonEmpty), { value: '/m/a.gguf', origin: 'user' });
    assert.deepEqual(chooseSetting({ defaultValue: '' }, nonEmpty), { value: undefined, origin: 'user' });
});

test('a workspace value wins but is marked as coming from the workspace, with the user\'s value as fallback', () => {
    assert.deepEqual(chooseSetting({ defaultValue: '', globalValue: '/m/a.gguf', workspaceValue: './evil.gguf' }, nonEmpty),
        { value: './evil.gguf', origin: 'workspaceSettings', fallback: '/m/a.gguf' });
    assert.deepEqual(chooseSetting({ defaultValue: '', workspaceValue: 'x.gguf', workspaceFolderValue: 'y.gguf' }, nonEmpty),
        { value: 'y.gguf', origin: 'workspaceSettings' });
});

test('an empty workspace value, or one equal to the user\'s, asks for nothing', () => {
    assert.deepEqual(chooseSetting({ defaultValue: '', globalValue: '/m/a.gguf', workspaceValue: '  ' }, nonEmpty),
        { value: '/m/a.gguf', origin: 'user' });
    assert.deepEqual(chooseSetting({ globalValue: '/m/a.gguf', workspaceValue: '/m/a.gguf' }, nonEmpty), { value: '/m/a.gguf', origin: 'user' });
    assert.deepEqual(chooseSetting({ defaultValue: [], workspaceValue: [] as string[] }, v => v.length > 0), { value: undefined, origin: 'user' });
});

test('lists (adapters) compare by content', () => {
    const adapters = [{ path: '/a.gguf', scale: 1 }];
    assert.equal(chooseSetting({ globalValue: adapters, workspaceValue: [{ path: '/a.gguf', scale: 1 }] }).origin, 'user');
    assert.equal(chooseSetting({ globalValue: adapters, workspaceValue: [{ path: '/a.gguf', scale: 2 }] }).origin, 'workspaceSettings');
});

test('untrusted workspace paths need a confirmation, once per session answer', () => {
    for (const origin of ['workspaceSettings', 'workspaceFile'] as const) {
        assert.equal(decidePathTrust({ workspaceTrusted: false, origin }), 'ask');
        assert.equal(decidePathTrust({ workspaceTrusted: false, origin, earlier: 'allowed' }), 'load');
        assert.equal(decidePathTrust({ workspaceTrusted: false, origin, earlier: 'declined' }), 'skip');
        assert.equal(decidePathTrust({ workspaceTrusted: true, origin }), 'load');
    }
    assert.equal(decidePathTrust({ workspaceTrusted: false, origin: 'user' }), 'load');
    assert.equal(decidePathTrust({ workspaceTrusted: false, origin: 'user', earlier: 'declined' }), 'load');
});
