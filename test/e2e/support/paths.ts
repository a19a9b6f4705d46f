import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is test/e2e/support/paths.ts). */
export const repoRoot = resolve(__dirname, '../../..');

/** Screenshots and copied logs of every e2e run; git-ignored. */
export const resultsDir = join(repoRoot, 'test-results/e2e');

/** Debian's Chromium; Playwright's own browser download needs the internet. */
export const chromiumPath = process.env.PROMPTSCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';

/**
 * code-server's entry point as installed by scripts/e2e-setup.mjs. The runner passes it through the
 * environment; the fallback is the default cache folder, so a single e2e file can be run by hand.
 */
export function codeServerEntry(): string {
    const cache = process.env.E2E_CACHE ? resolve(process.env.E2E_CACHE) : join(repoRoot, '.cache/e2e');
    const entry = process.env.PROMPTSCOPE_E2E_CODE_SERVER ?? join(cache, 'tool/node_modules/code-server/out/node/entry.js');
    if (!existsSync(entry)) {
        throw new Error(`code-server is not installed at ${entry}; run \`npm run test:e2e\` (or \`node scripts/e2e-setup.mjs\`) once to install the e2e toolchain.`);
    }
    return entry;
}

/** A packaged extension to install instead of the folder (`npm run test:e2e -- --vsix` sets it). */
export const extensionVsix = process.env.PROMPTSCOPE_E2E_VSIX ? resolve(process.env.PROMPTSCOPE_E2E_VSIX) : undefined;

/**
 * The extension folder installed into code-server: the repository itself (symlinked, so dist/ and
 * node_modules/node-llama-cpp come along), or PROMPTSCOPE_E2E_EXTENSION, e.g. an unpacked .vsix.
 */
export const extensionFolder = process.env.PROMPTSCOPE_E2E_EXTENSION ? resolve(process.env.PROMPTSCOPE_E2E_EXTENSION) : repoRoot;
