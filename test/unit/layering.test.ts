import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap(name => {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) return sourceFiles(full);
        return /\.(ts|tsx|mts|cts)$/.test(name) ? [full] : [];
    });
}

/** Every module specifier a file imports, requires or dynamically imports. */
function importsOf(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    const specifiers: string[] = [];
    const patterns = [
        /\bfrom\s+['"]([^'"]+)['"]/g,
        /\bimport\s+['"]([^'"]+)['"]/g,
        /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
        /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    ];
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) specifiers.push(m[1]!);
    return specifiers;
}

const files = sourceFiles(src).map(f => ({ path: relative(root, f).replaceAll('\\', '/'), imports: importsOf(f) }));
const isLlama = (s: string) => s === 'node-llama-cpp' || s.startsWith('node-llama-cpp/') || s.startsWith('@node-llama-cpp/');

test('only src/runtime imports node-llama-cpp', () => {
    const offenders = files.filter(f => !f.path.startsWith('src/runtime/') && f.imports.some(isLlama)).map(f => f.path);
    assert.deepEqual(offenders, []);
});

test('only src/vscode imports vscode', () => {
    const offenders = files.filter(f => !f.path.startsWith('src/vscode/') && f.imports.includes('vscode')).map(f => f.path);
    assert.deepEqual(offenders, []);
});

test('src/core imports neither vscode, node-llama-cpp nor other layers', () => {
    const offenders = files
        .filter(f => f.path.startsWith('src/core/'))
        .filter(f => f.imports.some(s => s === 'vscode' || isLlama(s) || /\/(runtime|vscode|webview|cli)\//.test(s)))
        .map(f => f.path);
    assert.deepEqual(offenders, []);
});

test('src/webview is browser code: no Node built-ins, vscode or runtime', () => {
    const offenders = files
        .filter(f => f.path.startsWith('src/webview/'))
        .filter(f => f.imports.some(s => s === 'vscode' || isLlama(s) || s.startsWith('node:') || /\/(runtime|vscode|cli)\//.test(s)))
        .map(f => f.path);
    assert.deepEqual(offenders, []);
});

test('the check itself sees imports (guards against a vacuous pass)', () => {
    const self = importsOf(__filename);
    assert.ok(self.includes('node:test'));
    assert.ok(files.some(f => f.path === 'src/shared/runtimeApi.ts'));
});
