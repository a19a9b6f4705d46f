// Builds every bundle the extension ships. One esbuild context per bundle kind so
// Node-side code (CJS, externals kept) and browser-side webviews (IIFE) never share settings.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/**
 * node-llama-cpp is ESM-only and loads native binaries relative to its own folder, so it is never bundled; nor is
 * @resvg/resvg-js (the experiments' plots), which loads its platform's .node file from a package of its own, nor the
 * font package whose files the plots are drawn with (found with require.resolve at run time).
 */
const nodeExternal = ['vscode', 'node-llama-cpp', '@node-llama-cpp/*', '@resvg/*', 'dejavu-fonts-ttf'];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  external: nodeExternal,
  logLevel: 'warning',
  absWorkingDir: root,
};

const nodeBundles = [
  { entryPoints: { extension: 'src/vscode/extension.ts' } },
  { entryPoints: { 'runtime-host': 'src/runtime/host/main.ts' } },
  { entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
].filter(b => existsSync(join(root, Object.values(b.entryPoints)[0])));

const webviewDir = join(root, 'src/webview');
const webviewEntries = existsSync(webviewDir)
  ? Object.fromEntries(readdirSync(webviewDir, { withFileTypes: true })
      .filter(d => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
      .map(d => [d.name, `src/webview/${d.name}/main.ts`]))
  : {};

const configs = nodeBundles.map(b => ({ ...nodeCommon, ...b, outdir: 'dist' }));
if (Object.keys(webviewEntries).length > 0) {
  configs.push({
    entryPoints: webviewEntries,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    outdir: 'dist/webview',
    loader: { '.css': 'text' },
    logLevel: 'warning',
    absWorkingDir: root,
  });
}

// dist/ is not wiped: tests in another terminal may be forking dist/runtime-host.js right now.
if (production) rmSync(join(root, 'dist'), { recursive: true, force: true });
const contexts = await Promise.all(configs.map(c => esbuild.context(c)));
if (watch) {
  await Promise.all(contexts.map(c => c.watch()));
  console.log('[build] watching for changes');
} else {
  try {
    await Promise.all(contexts.map(c => c.rebuild()));
  } finally {
    await Promise.all(contexts.map(c => c.dispose()));
  }
  console.log(`[build] ${configs.length} bundle group(s) written to dist/`);
}
