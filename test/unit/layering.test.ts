import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative } from 'node:path';

/*
 * The layers of src/ and what each may import:
 *   shared   pure types, limits, error classes, panel protocols: only src/shared
 *   core     pure TypeScript: src/core, src/shared, Node built-ins and the npm packages in `corePackages`
 *   runtime  the only importer of node-llama-cpp (in src/runtime/host, the engine's process, which the others reach
 *            only through the runtime client)
 *   vscode   the only importer of `vscode`; reaches browser code only through src/shared and src/core
 *   webview  browser code: no Node built-ins, `vscode`, runtime, cli or extension code, not even through core
 *   cli      never the engine, but for the exceptions named in `engineImportExceptions`
 */

const root = join(__dirname, '..', '..');

/** npm packages src/core may import, each pure JavaScript that runs in Node and in the webview bundle alike. */
// quickjs-emscripten-core and its single-file variant: QuickJS compiled to WebAssembly (the program-aided sandbox), no native code.
// @orama/orama: pure-JavaScript search (exact vector scan, BM25, hybrid), the retrieval index's store; no dependencies.
// ml-matrix: pure-JavaScript linear algebra, the truncated SVD that makes a LoRA adapter of a fine-tuned weight change.
// picomatch: pure-JavaScript glob matching, no dependencies: which files a retrieval index selects (include / exclude).
const corePackages = ['csv-parse', 'dotprompt', 'handlebars', 'yaml', 'quickjs-emscripten-core', '@jitl/quickjs-singlefile-cjs-release-sync', '@orama/orama', 'p-limit', 'ml-matrix', 'picomatch'];

/** Imports of the engine (src/runtime/host) from outside it, each with why the runtime client cannot serve it. */
const engineImportExceptions: readonly { from: string; to: string; reason: string }[] = [
    {
        from: 'src/cli/bench/inProcessEngine.ts',
        to: 'src/runtime/host/engine/LlamaEngine.ts',
        reason: 'the benchmark\'s "RPC overhead" figures compare the runtime host over RPC with the same engine running in '
            + 'the CLI\'s own process; that baseline cannot be had through the client',
    },
    {
        from: 'src/cli/bench/inProcessEngine.ts',
        to: 'src/runtime/host/engine/nodeLlamaSpeculation.ts',
        reason: 'the speculative section compares our native speculative loop with node-llama-cpp\'s own token predictors, '
            + 'which run only in a process that loaded the model; the runtime host does not offer them',
    },
];

interface Import {
    specifier: string;
    /** For a relative specifier: the module it names, relative to the repository root (`src/shared/limits`), without extension. */
    target?: string;
}

interface SourceFile {
    path: string;
    imports: Import[];
}

/**
 * Module specifiers of a TypeScript file: `import … from`, `export … from` and side-effect imports (type-only ones
 * included: they couple layers too), `import()` and `require()`. Statements are matched where they start a line, so
 * the words in comments and strings are not taken for imports.
 */
function specifiersOf(text: string): string[] {
    const patterns = [
        /^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm,
        /^[ \t]*import\s*['"]([^'"]+)['"]/gm,
        /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
        /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    ];
    return patterns.flatMap(pattern => [...text.matchAll(pattern)].map(m => m[1]!));
}

function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap(name => {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) return sourceFiles(full);
        return /\.(ts|tsx|mts|cts)$/.test(name) ? [full] : [];
    });
}

const files: SourceFile[] = sourceFiles(join(root, 'src')).map(full => {
    const path = relative(root, full).replaceAll('\\', '/');
    const imports = specifiersOf(readFileSync(full, 'utf8')).map(specifier => specifier.startsWith('.')
        ? { specifier, target: posix.normalize(posix.join(posix.dirname(path), specifier)).replace(/\.(js|ts)$/, '') }
        : { specifier });
    return { path, imports };
});

const builtins = new Set(builtinModules);
const isBuiltin = (s: string) => s.startsWith('node:') || builtins.has(s) || builtins.has(s.split('/')[0]!);
const isLlama = (s: string) => s === 'node-llama-cpp' || s.startsWith('node-llama-cpp/') || s.startsWith('@node-llama-cpp/');
const isPackage = (i: Import) => i.target === undefined && !isBuiltin(i.specifier);
/** `@scope/name/sub/path` → `@scope/name`, `name/sub/path` → `name`. */
const packageName = (s: string) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
const within = (target: string | undefined, dir: string) => target !== undefined && (target === dir || target.startsWith(`${dir}/`));
const inLayer = (layer: string) => files.filter(f => f.path.startsWith(`src/${layer}/`));

/** `file imports specifier` for every import that breaks `rule`. */
function offenders(sources: SourceFile[], rule: (i: Import, file: SourceFile) => boolean): string[] {
    return sources.flatMap(f => f.imports.filter(i => rule(i, f)).map(i => `${f.path} imports ${i.specifier}`));
}

/** How many imports of `sources` are of the kind `kind`: a rule that sees none of what it governs proves nothing. */
function seen(sources: SourceFile[], kind: (i: Import) => boolean): number {
    return sources.reduce((n, f) => n + f.imports.filter(kind).length, 0);
}

test('the import scanner sees every form of import and nothing in comments or strings', () => {
    const text = [
        'import type { A } from \'./a\';',
        'import {',
        '    B,',
        '    type C,',
        '} from "../b";',
        'export { D } from \'./d\';',
        'export * from \'./e\';',
        'import \'./side-effect\';',
        'const m = await import(\'node-llama-cpp\');',
        'const y = require(\'yaml\');',
        '// import x from \'commented\'',
        ' * reads a file from "nothing to do"',
        'const s = "import q from \'quoted\'";',
    ].join('\n');
    assert.deepEqual(specifiersOf(text).sort(), ['../b', './a', './d', './e', './side-effect', 'node-llama-cpp', 'yaml']);
    assert.ok(files.length > 100, `${files.length} source files`);
    assert.ok(files.some(f => f.path === 'src/shared/runtimeApi.ts'));
});

test('src/shared imports only src/shared: no Node built-ins, no npm packages', () => {
    const shared = inLayer('shared');
    assert.deepEqual(offenders(shared, i => !within(i.target, 'src/shared')), []);
    assert.ok(seen(shared, i => within(i.target, 'src/shared')) > 0);
});

test('src/core imports src/core, src/shared, Node built-ins and only the npm packages listed', () => {
    const core = inLayer('core');
    assert.deepEqual(offenders(core, i => i.target !== undefined && !within(i.target, 'src/core') && !within(i.target, 'src/shared')), []);
    assert.deepEqual(offenders(core, i => isPackage(i) && !corePackages.includes(packageName(i.specifier))), []);
    // Each listed package is in use (a package core no longer needs leaves the list), and the other kinds are seen.
    for (const name of corePackages) assert.ok(seen(core, i => isPackage(i) && packageName(i.specifier) === name) > 0, `core imports ${name}`);
    assert.ok(seen(core, i => isBuiltin(i.specifier)) > 0);
    assert.ok(seen(core, i => within(i.target, 'src/shared')) > 0);
});

test('the engine (src/runtime/host) is imported only inside it: the CLI and the extension go through the runtime client', () => {
    const outside = files.filter(f => !f.path.startsWith('src/runtime/host/'));
    const allowed = (i: Import, f: SourceFile) => engineImportExceptions.some(e => e.from === f.path && e.to.replace(/\.ts$/, '') === i.target);
    assert.deepEqual(offenders(outside, (i, f) => within(i.target, 'src/runtime/host') && !allowed(i, f)), []);
    for (const exception of engineImportExceptions) {
        assert.ok(exception.reason.length > 20, `${exception.from}: an exception says why`);
        const from = files.find(f => f.path === exception.from);
        assert.ok(from?.imports.some(i => i.target === exception.to.replace(/\.ts$/, '')), `${exception.from} still imports ${exception.to}; else drop the exception`);
    }
    assert.ok(seen(inLayer('runtime/host'), i => within(i.target, 'src/runtime/host')) > 0);
    assert.ok(seen(inLayer('cli'), i => within(i.target, 'src/runtime/client')) > 0, 'the CLI reaches the runtime through the client');
    assert.ok(seen(inLayer('vscode'), i => within(i.target, 'src/runtime/client')) > 0, 'the extension reaches the runtime through the client');
});

test('src/vscode never imports src/webview: browser code reaches the extension only through src/shared and src/core', () => {
    const extension = inLayer('vscode');
    assert.deepEqual(offenders(extension, i => within(i.target, 'src/webview')), []);
    assert.ok(seen(extension, i => within(i.target, 'src/core/panels')) > 0);
    assert.ok(seen(extension, i => within(i.target, 'src/shared/protocols')) > 0);
});

test('src/webview is browser code: no Node built-ins, vscode, node-llama-cpp, runtime, cli or extension code', () => {
    const webview = inLayer('webview');
    const forbidden = (i: Import) => isBuiltin(i.specifier) || i.specifier === 'vscode' || isLlama(i.specifier)
        || ['src/runtime', 'src/cli', 'src/vscode'].some(dir => within(i.target, dir));
    assert.deepEqual(offenders(webview, forbidden), []);
    assert.ok(seen(webview, i => within(i.target, 'src/core')) > 0);
    assert.ok(seen(webview, i => within(i.target, 'src/shared')) > 0);

    // Nor through what it imports: core and shared modules in the pages' bundles must run in a browser too.
    const byModule = new Map(files.map(f => [f.path.replace(/\.ts$/, ''), f]));
    const reached = new Map<string, SourceFile>(webview.map(f => [f.path, f]));
    const queue = [...webview];
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        for (const i of file.imports) {
            const next = i.target === undefined ? undefined : byModule.get(i.target) ?? byModule.get(`${i.target}/index`);
            if (next !== undefined && !reached.has(next.path)) {
                reached.set(next.path, next);
                queue.push(next);
            }
        }
    }
    const beyond = [...reached.values()].filter(f => !f.path.startsWith('src/webview/'));
    assert.deepEqual(offenders(beyond, forbidden), []);
    assert.ok(beyond.some(f => f.path.startsWith('src/core/')) && beyond.some(f => f.path.startsWith('src/shared/')), 'the pages reach core and shared');
});

test('only src/runtime imports node-llama-cpp, and there only the engine\'s process (src/runtime/host)', () => {
    assert.deepEqual(offenders(files.filter(f => !f.path.startsWith('src/runtime/')), i => isLlama(i.specifier)), []);
    // runtime/client, runtime/rpc and runtime/build run in the extension host and the CLI, which never load llama.cpp.
    assert.deepEqual(offenders(files.filter(f => f.path.startsWith('src/runtime/') && !f.path.startsWith('src/runtime/host/')), i => isLlama(i.specifier)), []);
    assert.ok(seen(inLayer('runtime/host'), i => isLlama(i.specifier)) > 0);
});

test('only src/vscode imports vscode', () => {
    assert.deepEqual(offenders(files.filter(f => !f.path.startsWith('src/vscode/')), i => i.specifier === 'vscode'), []);
    assert.ok(seen(inLayer('vscode'), i => i.specifier === 'vscode') > 0);
});
