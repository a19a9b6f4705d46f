// `npm run package`: the .vsix is an allow-list. It must carry our bundles, the grammar and node-llama-cpp with the
// platform binary it loads, and nothing of the sources, tests or build tooling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');
const nativeDir = join(repoRoot, 'build', 'native');
/** The addon's files under its former name ("attention"), as a checkout built before the rename still has them. */
const formerAddonFiles = ['attention.node', 'attention.unavailable.txt'].map(file => join(nativeDir, file));

function plantFormerAddonFiles(): void {
    mkdirSync(nativeDir, { recursive: true });
    for (const file of formerAddonFiles) writeFileSync(file, 'left from a build before the rename\n');
}

// yauzl is what vsce itself reads .vsix files with; it ships with @vscode/vsce.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yauzl = require('yauzl') as {
    open(path: string, options: { lazyEntries: boolean }, callback: (error: Error | null, zip: ZipFile) => void): void;
};
interface ZipFile {
    readEntry(): void;
    on(event: 'entry', listener: (entry: { fileName: string }) => void): void;
    on(event: 'end' | 'close', listener: () => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
}

function listEntries(vsix: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
        yauzl.open(vsix, { lazyEntries: true }, (error, zip) => {
            if (error) return reject(error);
            const names: string[] = [];
            zip.on('entry', entry => { names.push(entry.fileName); zip.readEntry(); });
            zip.on('end', () => resolve(names));
            zip.on('error', reject);
            zip.readEntry();
        });
    });
}

test('npm run package writes an allow-listed .vsix with node-llama-cpp and its platform binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptscope-vsix-'));
    plantFormerAddonFiles();
    try {
        const out = join(dir, 'promptscope.vsix');
        const r = spawnSync(process.execPath, ['scripts/package.mjs', '--out', out], { cwd: repoRoot, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);

        assert.match(readFileSync(join(repoRoot, '.vscodeignore'), 'utf8'), /^(#.*\n)*\*\*\n/, '.vscodeignore starts with ** (an allow-list)');

        const names = await listEntries(out);
        const has = (name: string) => names.includes(`extension/${name}`);
        for (const required of ['package.json', 'dist/extension.js', 'dist/runtime-host.js', 'dist/cli.js',
            'syntaxes/dotprompt.tmLanguage.json', 'language-configuration.json', 'node_modules/node-llama-cpp/package.json',
            'dist/webview/tokenProbabilities.js', 'media/webview/tokenProbabilities.css']) {
            assert.ok(has(required), `${required} is in the .vsix`);
        }
        const platform = `${process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
        assert.ok(names.some(n => n.startsWith(`extension/node_modules/@node-llama-cpp/${platform}/bins/`) && /llama/.test(n)),
            `the ${platform} llama.cpp binary is in the .vsix`);

        // The native addon travels built for this platform when this checkout has it (CI builds it), else its reason.
        if (existsSync(join(repoRoot, 'build', 'native', 'llamaExtras.node'))) {
            assert.ok(has('build/native/llamaExtras.node'), 'the native addon is in the .vsix');
        } else if (existsSync(join(repoRoot, 'build', 'native', 'llamaExtras.unavailable.txt'))) {
            assert.ok(has('build/native/llamaExtras.unavailable.txt'), 'why the native addon is missing is in the .vsix');
        }
        assert.deepEqual(names.filter(n => n.startsWith('extension/build/native/attention.')), [],
            'a copy left under the addon\'s former name stays out');

        const forbidden = names.filter(n => /^extension\/(src|test|scripts|\.cache|\.git)\//.test(n)
            || /^extension\/node_modules\/(typescript|esbuild|@esbuild|mocha|tsx|@vscode\/vsce|playwright-core|@types)\//.test(n)
            || /\.map$/.test(n));
        assert.deepEqual(forbidden, [], 'sources, tests, dev tooling and source maps stay out');
    } finally {
        rmSync(dir, { recursive: true, force: true });
        for (const file of formerAddonFiles) rmSync(file, { force: true });
    }
});

test('building the native addon removes a copy left under its former name, even when the addon is up to date', () => {
    plantFormerAddonFiles();
    try {
        const r = spawnSync(process.execPath, ['scripts/build-native.mjs', '--if-missing'], { cwd: repoRoot, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(formerAddonFiles.filter(file => existsSync(file)), [], 'no attention.node or its reason file is left');
    } finally {
        for (const file of formerAddonFiles) rmSync(file, { force: true });
    }
});
