// `npm start`: the main job. Builds everything, makes sure a model is available (the configured one, or the
// project's own fixture model, saying so), and runs an example prompt through the CLI so a newcomer sees the
// whole pipeline work: .prompt rendering, the isolated runtime host, streaming generation.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');

function run(args, label) {
    console.log(`\n$ promptscope ${args.join(' ')}${label ? `   # ${label}` : ''}`);
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
}

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let model = process.env.PROMPTSCOPE_MODEL;
if (model) {
    console.log(`[start] using PROMPTSCOPE_MODEL=${model}`);
} else {
    model = join(root, '.cache', 'fixtures', 'start-fixture.gguf');
    if (!existsSync(model)) {
        console.log('[start] no model configured (set PROMPTSCOPE_MODEL to a .gguf to use your own):');
        console.log('[start] generating the tiny fixture model; its weights are random, so its text is noise.');
        mkdirSync(dirname(model), { recursive: true });
        run(['fixture-model', model, '--seed', '1']);
    } else {
        console.log(`[start] no model configured: using the fixture model ${model} (set PROMPTSCOPE_MODEL to use your own)`);
    }
}

run(['info', model]);
run(['render', 'examples/hello.prompt'], 'Dotprompt rendering, no model needed');
run(['run', 'examples/hello.prompt', '--model', model, '--seed', '7', '--max-tokens', '24'], 'streams tokens from the runtime host');
run(['run', 'examples/hello.prompt', '--model', model, '--seed', '7', '--max-tokens', '24', '--json']);
