// `npm run editor [-- --port N]`: the extension in a real VS Code in your browser, without installing anything into
// a desktop VS Code. It installs the e2e toolchain on first use (scripts/e2e-setup.mjs: code-server into .cache/e2e/),
// builds the extension, and starts code-server on 127.0.0.1 with the repository symlinked in as the installed
// extension (as the e2e suite does: test/e2e/support/CodeServer.ts) and examples/ open in place, so your edits stay.
// It prints the URL and runs until Ctrl-C, which stops code-server and everything it started.
//
// The model: $PROMPTSCOPE_MODEL when set, else the trained arithmetic fixture (fixtures/trained/), else the tiny
// random fixture model (written on first use).
// Run through `node --import tsx` (package.json's script does), since it reuses the e2e suite's TypeScript helpers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureToolchain } from './e2e-setup.mjs';
import { CodeServer } from '../test/e2e/support/CodeServer.ts';
import { isAlive } from '../test/e2e/support/processes.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
    console.error(`[editor] ${message}`);
    process.exit(1);
}

function node(args, what) {
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal}); see above`);
}

let values;
try {
    ({ values } = parseArgs({ options: { port: { type: 'string' } } }));
} catch (e) {
    fail(`${e instanceof Error ? e.message : e}. Usage: npm run editor [-- --port N]`);
}
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) fail(`--port ${values.port}: expected a port number from 1 to 65535`);

try {
    await ensureToolchain();
} catch (e) {
    fail(`the code-server toolchain could not be installed: ${e instanceof Error ? e.message : e}`);
}
node(['scripts/build.mjs'], 'building the extension (node scripts/build.mjs)');

let model = process.env.PROMPTSCOPE_MODEL;
if (model) {
    console.log(`[editor] model: PROMPTSCOPE_MODEL=${model}`);
} else {
    model = join(root, 'fixtures', 'trained', 'arithmetic.gguf');
    if (existsSync(model)) {
        console.log(`[editor] model: the trained arithmetic fixture ${model} (set PROMPTSCOPE_MODEL to use your own)`);
    } else {
        model = join(root, '.cache', 'fixtures', 'start-fixture.gguf');
        if (!existsSync(model)) {
            mkdirSync(dirname(model), { recursive: true });
            node(['dist/cli.js', 'fixture-model', model, '--seed', '1'], 'writing the fixture model');
        }
        console.log(`[editor] model: the tiny fixture model ${model} (random weights; set PROMPTSCOPE_MODEL to use your own)`);
    }
}

const server = await CodeServer.start({
    extensionFolders: [root],
    workspace: join(root, 'examples'),
    port,
    settings: { 'promptscope.model': model },
}).catch(e => fail(`code-server did not start: ${e instanceof Error ? e.message : e}`));

let stopping = false;
async function stop(code) {
    if (stopping) return;
    stopping = true;
    console.log('\n[editor] stopping code-server');
    await server.stop();
    process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(0));
// code-server ending on its own (crash, killed) ends this too, with its last words.
setInterval(() => {
    if (!stopping && !isAlive(server.pid)) {
        console.error(`[editor] code-server exited:\n${server.log().slice(-2000)}`);
        void stop(1);
    }
}, 1000);

console.log(`[editor] Promptscope in code-server on examples/: ${server.url}`);
console.log('[editor] open it in a browser; "Help: Get Started" has the Promptscope walkthrough. Ctrl-C stops it.');
