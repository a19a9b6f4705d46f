import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ChatMessage, TrainingEpoch, TrainingProgress } from '../../shared/runtimeApi';
import { CancelledError } from '../../shared/errors/CancelledError';
import { writeFixtureModel, type FixtureTensorType } from '../../core/fixtures';
import { formatParameterCount } from '../../core/format';
import { preparePrompt, PromptDocument } from '../../core/prompt';
import { trainingConversation } from '../../core/training/trainingConversation';
import { composeTrainedModel, provenanceMetadata } from '../../core/training/composeTrainedModel';
import { writeDeltaLora, type WrittenDeltaLora } from '../../core/training/deltaLora';
import { readGgufHeader } from '../../core/gguf';
import { trainingTasks, type TrainingExample, type TrainingSchedule, type TrainingTask } from '../../core/training/trainingTasks';
import type { CliCommand } from '../CliCommand';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag, numberFlag, threadsFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { checkOutputPath } from '../outputFlag';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';
import { TrainingLibrary } from '../training/TrainingLibrary';
import { installedFile } from '../installedFile';
import { nodeLlamaCppFolder } from '../../runtime/build/nodeLlamaCppFolder';
import { nodeLlamaCppBins } from '../../runtime/build/nodeLlamaCppBins';

const taskNames = Object.keys(trainingTasks);

const usage = `Usage: promptscope train-fixture TASK OUT.gguf [--seed N] [--epochs N] [--examples N] [--validation N]
                                   [--learning-rate X] [--threads N] [--resume] [--json]

Writes a fixture model that knows something: a small llama fixture (F32, the fixture vocabulary) trained with
llama.cpp's own training API (full fine-tuning, AdamW, cosine learning rate) on a synthetic corpus made from the
seed. Every example is the task's prompt file rendered through the chat template with its input, followed by the
reply the model is taught, so the model learns exactly what it will be asked. Held-out problems never appear in
training. Progress goes to stderr; work files (the base model, the checkpoint after each epoch, state.json) live
in OUT.gguf.training/, so --resume goes on after the last finished epoch (with fresh optimizer moments).

llama.cpp's training graph leaves attn_k and attn_v without gradient (its attention reads the KV cache, whose write has
no backward pass), so training runs on a libllama with that one change: built once from node-llama-cpp's bundled
source beside the reference tools (needs git, cmake and a C++ compiler; cached in ~/.cache/promptscope/training).
--no-train-attention trains on node-llama-cpp's own libllama instead (attn_k and attn_v then stay as initialised).

Tasks:
${taskNames.map(name => `  ${name.padEnd(12)} ${trainingTasks[name]!.description}`).join('\n')}

Options:
  --seed N             Seed of the base weights, the corpus and the order of each epoch (default 1)
  --epochs N           Epochs (default: the task's)
  --examples N         Training examples (default: the task's)
  --validation N       Held-out validation examples (default: the task's)
  --learning-rate X    Peak learning rate, decaying to a tenth (default: the task's)
  --window N           Tokens per training window (default: the task's)
  --threads N          CPU threads (default: physical cores - 1)
  --type T             Type of the written model's matrices: f32 (default, as trained), f16 or q8_0 (small enough
                       to commit; norms stay f32). Training itself is always in f32
  --no-train-attention Train with node-llama-cpp's own libllama (attn_k and attn_v untrained)
  --resume             Go on from OUT.gguf.training/ after its last finished epoch
  --json               Print {model, task, seed, parameters, epochs: [{epoch, trainLoss, trainAccuracy, validationLoss,
                       validationAccuracy, learningRate, ms}], corpusSha256, tokens, windows, ms}
`;

interface TrainingState {
    recipe: Recipe;
    epochs: TrainingEpoch[];
}

interface Recipe {
    task: string;
    seed: number;
    schedule: TrainingSchedule;
    corpusSha256: string;
}

export const trainFixtureCommand: CliCommand = {
    name: 'train-fixture',
    summary: 'Train a small fixture model on a synthetic task with llama.cpp\'s training API',
    usage,
    allowPositionals: true,
    options: { ...stringOptions('seed', 'epochs', 'examples', 'validation', 'learning-rate', 'window', 'threads', 'type'), ...booleanOptions('resume', 'no-train-attention') },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 2) throw new UsageError('give a task and an output path, e.g. train-fixture arithmetic arithmetic.gguf');
        const task = trainingTasks[positionals[0]!];
        if (!task) throw new UsageError(`unknown task ${JSON.stringify(positionals[0])}: the tasks are ${taskNames.join(', ')}`);
        const out = checkOutputPath('OUT.gguf', positionals[1]!);
        const seed = integerFlag(values, 'seed') ?? 1;
        if (seed < 0) throw new UsageError(`--seed must be a non-negative integer, got ${seed}`);
        const schedule = scheduleOf(task, values);
        const threads = threadsFlag(values);
        const type = (values.type ?? 'f32') as FixtureTensorType;
        if (!['f32', 'f16', 'q8_0'].includes(type)) throw new UsageError(`--type must be f32, f16 or q8_0, got ${String(values.type)}`);
        const work = `${out}.training`;
        // Checked like OUT itself: never a link out of the workspace, never a file where the folder should be.
        if (existsSync(work) && (lstatSync(work).isSymbolicLink() || !lstatSync(work).isDirectory())) {
            throw new UsageError(`${work} (the work folder beside OUT.gguf) is a link or a file: remove it or choose another OUT.gguf`);
        }
        mkdirSync(work, { recursive: true });
        const base = join(work, 'base.gguf');
        const checkpoint = join(work, 'checkpoint.gguf');
        const statePath = join(work, 'state.json');
        const started = performance.now();

        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        const trainAttention = values['no-train-attention'] !== true;
        const session = new RuntimeSession(verbose, trainAttention ? await trainingEnvironment() : undefined);
        try {
            const parameters = await prepareBase(task, base, seed);
            await session.load({ model: base, gpu: 'off', ...(threads === undefined ? {} : { threads }) }, controller.signal);
            const prompts = new Map([task.prompt, ...task.otherPrompts ?? []].map(name => {
                const file = installedFile(name);
                return [name, PromptDocument.fromText(readFileSync(file, 'utf8'), file)];
            }));
            const tokenize = exampleTokenizer(session, name => prompts.get(name ?? task.prompt)!);
            progress(`Rendering ${schedule.trainExamples} training and ${schedule.validationExamples} held-out examples of ${task.name}…`);
            const train = await tokenize(task.examples(seed, schedule.trainExamples, false));
            const validation = await tokenize(task.examples(seed, schedule.validationExamples, true));
            const recipe: Recipe = { task: task.name, seed, schedule, corpusSha256: corpusHash(train) };

            const previous = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) as TrainingState : undefined;
            let epochs: TrainingEpoch[] = [];
            if (previous && values.resume === true) {
                if (JSON.stringify(previous.recipe) !== JSON.stringify(recipe)) {
                    throw new UsageError(`--resume: ${work} holds a run of another recipe (${JSON.stringify(previous.recipe.schedule)}, seed ${previous.recipe.seed}); give the same options or remove the folder`);
                }
                epochs = previous.epochs;
            } else if (previous && previous.epochs.length > 0) {
                throw new UsageError(`${work} holds a run that finished ${previous.epochs.length} epoch(s): pass --resume to go on from it, or remove the folder to start again`);
            }
            const saveState = () => writeFileSync(statePath, JSON.stringify({ recipe, epochs } satisfies TrainingState, null, 2) + '\n');
            saveState();
            if (epochs.length < schedule.epochs) {
                if (epochs.length > 0) progress(`Resuming after epoch ${epochs.length} of ${schedule.epochs} from ${checkpoint}`);
                const report = progressReporter();
                progress(`Training ${formatParameterCount(parameters)} parameters on ${train.length} examples (${recipe.corpusSha256.slice(0, 12)}), ${schedule.epochs} epochs…`);
                await session.client.trainModel({
                    model: epochs.length > 0 ? checkpoint : base, checkpoint, train, validation, window: schedule.window,
                    epochs: schedule.epochs, startEpoch: epochs.length, learningRate: schedule.learningRate,
                    learningRateMin: schedule.learningRateMin, warmupFraction: schedule.warmupFraction, weightDecay: schedule.weightDecay, chunkWindows: schedule.chunkWindows, seed,
                    ...(threads === undefined ? {} : { threads }),
                }, {
                    signal: controller.signal,
                    onProgress: update => {
                        report(update);
                        if (update.completed) {
                            epochs.push(update.completed);
                            saveState();
                        }
                    },
                }).catch((error: unknown) => {
                    if (controller.signal.aborted) throw new CancelledError(`training (${epochs.length} epoch(s) finished; --resume goes on from there)`);
                    throw error;
                });
            }
            const last = epochs.at(-1)!;
            const command = `promptscope train-fixture ${task.name} OUT.gguf --seed ${seed}${commandFlags(task, schedule)}${type === 'f32' ? '' : ` --type ${type}`}`;
            const provenance = { task: task.name, seed, corpusSha256: recipe.corpusSha256, command, epochs: epochs.length, validationLoss: last.validationLoss };
            const name = `Promptscope trained fixture ${task.name} (seed ${seed})`;
            let adapter: WrittenDeltaLora | undefined;
            let bytes: number;
            if (task.startsFrom) {
                // The fine-tuned model is kept beside the checkpoint: the adapter is its weight change from the base.
                const tuned = join(work, 'tuned.gguf');
                await composeTrainedModel(base, checkpoint, tuned, name, provenance);
                adapter = await writeDeltaLora(base, tuned, out, { rank: task.startsFrom.adapterRank, name, metadata: provenanceMetadata(provenance) });
                bytes = adapter.bytes;
            } else {
                bytes = (await composeTrainedModel(base, checkpoint, out, name, provenance, type)).bytes;
            }
            const ms = Math.round(performance.now() - started);
            const tokens = { train: train.reduce((n, e) => n + e.length, 0), validation: validation.reduce((n, e) => n + e.length, 0) };
            const adapterSummary = adapter && { base: task.startsFrom!.model, rank: adapter.rank, relativeError: adapter.relativeError, notCarried: adapter.notCarried };
            if (json) {
                printJson({ model: out, task: task.name, seed, parameters, epochs, corpusSha256: recipe.corpusSha256, tokens, bytes, ms, ...(adapterSummary ? { adapter: adapterSummary } : {}) });
            } else {
                process.stdout.write(`Wrote ${out}\n  ${task.name}, ${formatParameterCount(parameters)} parameters, ${epochs.length} epochs, `
                    + `validation loss ${last.validationLoss.toFixed(3)} (next-token accuracy ${(last.validationAccuracy * 100).toFixed(1)}%), ${(ms / 1000).toFixed(0)} s\n`);
                if (adapter) {
                    process.stdout.write(`  a LoRA adapter of ${task.startsFrom!.model}: rank ${adapter.rank}, ${(adapter.relativeError * 100).toFixed(1)}% of the weight change lost (Frobenius)`
                        + `${adapter.notCarried.length > 0 ? `; not carried: ${adapter.notCarried.map(t => `${t.name} (changed ${(t.relativeChange * 100).toFixed(2)}%)`).join(', ')}` : ''}\n`);
                }
            }
            return 0;
        } finally {
            process.off('SIGINT', onInterrupt);
            await session.close();
        }
    },
};

/** Writes the model training starts from into `base` (a fresh fixture, or a copy of the task's trained model); returns its parameter count. */
async function prepareBase(task: TrainingTask, base: string, seed: number): Promise<number> {
    if (!task.startsFrom) return (await writeFixtureModel(base, { dims: task.dimensions, type: 'f32', seed })).parameters;
    let from: string;
    try {
        from = installedFile(task.startsFrom.model);
    } catch {
        throw new UsageError(`${task.name} starts from ${task.startsFrom.model}, which is missing: make it first with promptscope train-fixture ${basename(task.startsFrom.model, '.gguf')} ${task.startsFrom.model}`);
    }
    copyFileSync(from, base);
    const header = await readGgufHeader(base);
    return header.tensors.reduce((n, t) => n + t.elements, 0);
}

function scheduleOf(task: TrainingTask, values: Record<string, unknown>): TrainingSchedule {
    const schedule = { ...task.schedule };
    const positive = (flag: string, value: number | undefined) => {
        if (value !== undefined && !(value > 0)) throw new UsageError(`--${flag} must be positive, got ${value}`);
        return value;
    };
    schedule.epochs = positive('epochs', integerFlag(values, 'epochs')) ?? schedule.epochs;
    schedule.trainExamples = positive('examples', integerFlag(values, 'examples')) ?? schedule.trainExamples;
    schedule.validationExamples = positive('validation', integerFlag(values, 'validation')) ?? schedule.validationExamples;
    schedule.window = positive('window', integerFlag(values, 'window')) ?? schedule.window;
    const rate = positive('learning-rate', numberFlag(values, 'learning-rate'));
    if (rate !== undefined) {
        schedule.learningRate = rate;
        schedule.learningRateMin = rate / 10;
    }
    return schedule;
}

/** The flags that make `schedule` from the task's defaults, for the command line recorded in the model. */
function commandFlags(task: TrainingTask, schedule: TrainingSchedule): string {
    const flags: [string, number, number][] = [
        ['--epochs', schedule.epochs, task.schedule.epochs], ['--examples', schedule.trainExamples, task.schedule.trainExamples],
        ['--validation', schedule.validationExamples, task.schedule.validationExamples], ['--window', schedule.window, task.schedule.window],
        ['--learning-rate', schedule.learningRate, task.schedule.learningRate],
    ];
    return flags.filter(([, value, preset]) => value !== preset).map(([flag, value]) => ` ${flag} ${value}`).join('');
}


/**
 * Token ids of each example as the model reads it: the prompt prepared with the example's input by the one prompt
 * pipeline, the reply as the model's turn, rendered by the loaded model's chat template, and the template's end of
 * that turn (the tokens a following turn would start with, up to and including the first special one).
 */
function exampleTokenizer(session: RuntimeSession, promptOf: (name: string | undefined) => PromptDocument) {
    let closing: number[] | undefined;
    return async (examples: TrainingExample[]): Promise<number[][]> => {
        const out: number[][] = [];
        for (const example of examples) {
            const prepared = await preparePrompt(promptOf(example.prompt), { input: example.input });
            const messages = trainingConversation(example, prepared.messages);
            const rendered = (await session.client.renderChat(messages)).tokens.map(t => t.id);
            closing ??= await turnClosing(session, messages, rendered);
            out.push([...rendered, ...closing]);
        }
        return out;
    };
}

async function turnClosing(session: RuntimeSession, messages: ChatMessage[], rendered: number[]): Promise<number[]> {
    const next = await session.client.renderChat([...messages, { role: 'user', text: 'Next.' }]);
    let common = 0;
    while (common < rendered.length && next.tokens[common]?.id === rendered[common]) common++;
    const end = next.tokens.findIndex((t, i) => i >= common && t.special);
    if (common !== rendered.length || end < 0) throw new Error('the chat template does not close the model\'s turn with a special token: it cannot be trained on');
    return next.tokens.slice(common, end + 1).map(t => t.id);
}

function corpusHash(examples: number[][]): string {
    const hash = createHash('sha256');
    for (const example of examples) hash.update(new Uint8Array(Int32Array.from([example.length, ...example]).buffer));
    return hash.digest('hex');
}

function progress(line: string): void {
    process.stderr.write(`${line}\n`);
}

/** Prints each finished epoch, and the progress within one at most every five seconds. */
function progressReporter(): (update: TrainingProgress) => void {
    let lastShown = 0;
    return update => {
        if (update.completed) {
            const e = update.completed;
            progress(`epoch ${e.epoch + 1}/${update.epochs}: train loss ${e.trainLoss.toFixed(3)}, validation loss ${e.validationLoss.toFixed(3)} `
                + `(next-token accuracy ${(e.validationAccuracy * 100).toFixed(1)}%), lr ${e.learningRate.toExponential(1)}, ${(e.ms / 1000).toFixed(0)} s`);
            return;
        }
        const now = Date.now();
        if (now - lastShown < 5000) return;
        lastShown = now;
        progress(`  ${(update.fraction * 100).toFixed(0)}%: epoch ${update.epoch + 1}/${update.epochs} ${update.phase} ${update.windowsDone}/${update.windowsTotal} windows`
            + (update.loss === undefined ? '' : `, loss ${update.loss.toFixed(3)}`));
    };
}

/** The runtime environment that trains attn_k and attn_v: the patched libllama (built once), and its switch on. */
async function trainingEnvironment(): Promise<NodeJS.ProcessEnv> {
    const nodeLlamaCppDir = nodeLlamaCppFolder();
    const bins = nodeLlamaCppDir === undefined ? undefined : nodeLlamaCppBins(nodeLlamaCppDir);
    if (!nodeLlamaCppDir || !bins) throw new UsageError('node-llama-cpp and its prebuilt binaries were not found: run npm ci (or pass --no-train-attention)');
    const folder = await TrainingLibrary.build({ nodeLlamaCppDir, bins, onLine: line => progress(line) });
    return TrainingLibrary.environment(folder);
}
