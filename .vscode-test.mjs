// @vscode/test-cli configuration (`npx vscode-test`). The tests are TypeScript under test/vscode/;
// `npm run test:vscode` bundles them into .cache/vscode-test/out/ first (test/vscode/run.mjs) and says
// plainly when VS Code cannot be downloaded, which is the case offline.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
    label: 'integration',
    files: '.cache/vscode-test/out/**/*.test.js',
    extensionDevelopmentPath: '.',
    workspaceFolder: './examples',
    version: process.env.PROMPTSCOPE_VSCODE_VERSION ?? 'stable',
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
    mocha: { ui: 'bdd', timeout: 60_000 },
});
