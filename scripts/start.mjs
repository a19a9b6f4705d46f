// `npm start`: the main job. Builds everything and runs the examples through the CLI on the configured model, or else
// on the project's trained fixtures (saying so), so a newcomer sees the whole pipeline work and what it is for:
// .prompt rendering, the isolated runtime host, chain of thought and self-consistency, program-aided answers, label
// scoring with calibration, a LoRA adapter's effect.
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

// The trained fixtures (fixtures/trained/, made by `promptscope train-fixture`, committed): small models that know
// something, so that what Promptscope shows (chain of thought, votes, label probabilities, calibration, an adapter's
// effect) means something on a machine with no model of its own.
const trained = name => join(root, 'fixtures', 'trained', name);
const arithmetic = trained('arithmetic.gguf');
const sentiment = trained('sentiment.gguf');
const threeTerm = trained('three-term-lora.gguf');

let model = process.env.PROMPTSCOPE_MODEL;
if (model) {
    console.log(`[start] using PROMPTSCOPE_MODEL=${model}`);
    run(['info', model]);
    run(['render', 'examples/hello.prompt'], 'Dotprompt rendering, no model needed');
    run(['run', 'examples/hello.prompt', '--model', model, '--seed', '7', '--max-tokens', '24'], 'streams tokens from the runtime host');
    run(['run', 'examples/hello.prompt', '--model', model, '--seed', '7', '--max-tokens', '24', '--json']);
} else if ([arithmetic, sentiment, threeTerm].every(existsSync)) {
    console.log('[start] no model configured (set PROMPTSCOPE_MODEL to a .gguf to use your own): using the trained fixtures in fixtures/trained/');
    run(['info', arithmetic]);
    run(['render', 'examples/arithmetic.prompt'], 'Dotprompt rendering, no model needed');
    run(['run', 'examples/arithmetic-direct.prompt', '--model', arithmetic], 'the direct answer, greedy');
    run(['run', 'examples/arithmetic.prompt', '--model', arithmetic, '--temperature', '0'], 'worked column by column (chain of thought), greedy');
    run(['run', 'examples/arithmetic.prompt', '--model', arithmetic, '--strategy', 'self-consistency', '--samples', '8', '--seed', '7'], 'self-consistency: 8 sampled paths vote');
    run(['run', 'examples/arithmetic-direct.prompt', '--model', arithmetic, '--strategy', 'program-aided'], 'the model writes a program; QuickJS runs it');
    run(['score', 'examples/sentiment.prompt', '--model', sentiment], 'label probabilities, one forward pass');
    run(['score', 'examples/sentiment.prompt', '--model', sentiment, '--calibrate'], 'contextual calibration (Zhao et al. 2021): divided by the content-free input\'s label distribution');
    const threeTerms = JSON.stringify({ question: 'What is 23 + 45 + 31?' });
    run(['run', 'examples/arithmetic.prompt', '--model', arithmetic, '--temperature', '0', '--input', threeTerms], 'three terms: the base model has not learned them');
    run(['run', 'examples/arithmetic.prompt', '--model', arithmetic, '--temperature', '0', '--input', threeTerms, '--lora', threeTerm], 'the same with the three-term LoRA adapter');
} else {
    model = join(root, '.cache', 'fixtures', 'start-fixture.gguf');
    console.log('[start] no model configured and fixtures/trained/ is incomplete: using the tiny fixture model, whose weights are random, so its text is noise.');
    if (!existsSync(model)) {
        mkdirSync(dirname(model), { recursive: true });
        run(['fixture-model', model, '--seed', '1']);
    }
    run(['info', model]);
    run(['render', 'examples/hello.prompt'], 'Dotprompt rendering, no model needed');
    run(['run', 'examples/hello.prompt', '--model', model, '--seed', '7', '--max-tokens', '24'], 'streams tokens from the runtime host');
}
