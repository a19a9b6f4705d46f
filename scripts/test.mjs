// `npm test`: builds the bundles (runtime tests fork dist/runtime-host.js), then runs every
// test file under test/unit, test/runtime and test/cli with node's built-in runner, one file at a time, then the grammar tests:
// the runtime tests load real models and the machine has 2 cores.
// `npm test -- test/runtime/foo.test.ts` runs only the files named.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const suites = ['test/unit', 'test/runtime', 'test/cli'];

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(process.execPath, ['scripts/build.mjs']);
// The attention addon (scripts/build-native.mjs), when it is missing or older than its source: never fails the run itself.
run(process.execPath, ['scripts/build-native.mjs', '--if-missing']);
const files = args.length > 0 ? args : suites
  .filter(dir => existsSync(join(root, dir)))
  .flatMap(dir => readdirSync(join(root, dir)).filter(f => f.endsWith('.test.ts')).sort().map(f => `${dir}/${f}`));
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]);

// TextMate grammar tests (test/grammar/*.prompt, vscode-tmgrammar-test's format). VS Code's YAML grammar is not on
// npm, so a stand-in scopes just enough to prove the front matter is handed to source.yaml.
if (args.length === 0) {
  run(process.execPath, [join(root, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js'),
    '-g', 'syntaxes/dotprompt.tmLanguage.json', '-g', 'test/grammar/yaml-stand-in.tmLanguage.json', 'test/grammar/*.prompt']);
}
