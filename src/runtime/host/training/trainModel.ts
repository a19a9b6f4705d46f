import type { TrainingEpoch, TrainingProgress, TrainModelRequest, TrainModelResult } from '../../../shared/runtimeApi';
import { cosineLearningRate, epochOrder, packWindows } from '../../../core/training/trainingWindows';
import { nativeTrainer, type TrainerPassResult } from '../engine/llamaExtrasAddon';

export interface TrainModelCall {
    signal?: AbortSignal;
    onProgress?: (progress: TrainingProgress) => void;
    /** CPU threads when the request names none. */
    defaultThreads: number;
}

/** How often the progress of a chunk in flight is read from the addon. */
const pollMs = 500;

/**
 * Trains `request.model` with the addon's trainer (src/runtime/native/modelTraining.cc): each epoch packs the examples
 * in a new seeded order, trains on them chunk by chunk at a cosine-decaying learning rate, evaluates the validation
 * windows and writes the checkpoint. Cancellation stops between chunks; the last written checkpoint is the one to
 * resume from (`startEpoch`), with fresh optimizer moments.
 */
export async function trainModel(request: TrainModelRequest, call: TrainModelCall): Promise<TrainModelResult> {
    const started = performance.now();
    const window = request.window ?? 128;
    const chunk = request.chunkWindows ?? 16;
    const startEpoch = request.startEpoch ?? 0;
    const floor = request.learningRateMin ?? request.learningRate / 10;
    const weightDecay = request.weightDecay ?? 0;
    checkRequest(request, window, chunk, startEpoch);
    const validation = packWindows(request.validation, window);
    const validationWindows = validation.length / (window + 1);
    const trainWindows = packWindows(request.train, window).length / (window + 1);
    if (trainWindows === 0) throw new RangeError(`The training examples hold fewer than ${window + 1} tokens: give more examples or a smaller window.`);
    const chunksPerEpoch = Math.ceil(trainWindows / chunk);
    const totalChunks = chunksPerEpoch * request.epochs;
    const warmupChunks = Math.round((request.warmupFraction ?? 0) * totalChunks);
    const remainingWork = (request.epochs - startEpoch) * (trainWindows + validationWindows);

    const opened = await nativeTrainer.open(request.model, window, request.threads ?? call.defaultThreads);
    const epochs: TrainingEpoch[] = [];
    let doneWork = 0;
    try {
        for (let epoch = startEpoch; epoch < request.epochs; epoch++) {
            const epochStarted = performance.now();
            const windows = packWindows(request.train, window, epochOrder(request.train.length, request.seed, epoch));
            const width = window + 1;
            let lossSum = 0;
            let accuracySum = 0;
            let learningRate = request.learningRate;
            for (let c = 0; c < chunksPerEpoch; c++) {
                call.signal?.throwIfAborted();
                const part = windows.subarray(c * chunk * width, Math.min(windows.length, (c + 1) * chunk * width));
                learningRate = cosineLearningRate(epoch * chunksPerEpoch + c, totalChunks, request.learningRate, floor, warmupChunks);
                const pass = await withProgress(nativeTrainer.run(part, true, learningRate, weightDecay), done => call.onProgress?.({
                    phase: 'train', epoch, epochs: request.epochs, windowsDone: c * chunk + done, windowsTotal: trainWindows,
                    fraction: (doneWork + c * chunk + done) / remainingWork,
                    ...(c > 0 ? { loss: lossSum / (c * chunk) } : {}),
                }));
                lossSum += pass.loss * pass.windows;
                accuracySum += pass.accuracy * pass.windows;
            }
            doneWork += trainWindows;
            call.signal?.throwIfAborted();
            const evaluated: TrainerPassResult = validationWindows > 0
                ? await withProgress(nativeTrainer.run(validation, false, 0, 0), done => call.onProgress?.({
                    phase: 'validate', epoch, epochs: request.epochs, windowsDone: done, windowsTotal: validationWindows,
                    fraction: (doneWork + done) / remainingWork,
                }))
                : { loss: NaN, lossUncertainty: NaN, accuracy: NaN, accuracyUncertainty: NaN, windows: 0 };
            doneWork += validationWindows;
            await nativeTrainer.save(request.checkpoint);
            const completed: TrainingEpoch = {
                epoch, trainLoss: lossSum / trainWindows, trainAccuracy: accuracySum / trainWindows,
                validationLoss: evaluated.loss, validationAccuracy: evaluated.accuracy, learningRate,
                ms: performance.now() - epochStarted,
            };
            epochs.push(completed);
            call.onProgress?.({
                phase: 'validate', epoch, epochs: request.epochs, windowsDone: validationWindows, windowsTotal: validationWindows,
                fraction: doneWork / remainingWork, completed,
            });
        }
    } finally {
        await nativeTrainer.close();
    }
    return {
        parameters: opened.parameters,
        epochs,
        tokens: { train: request.train.reduce((n, e) => n + e.length, 0), validation: request.validation.reduce((n, e) => n + e.length, 0) },
        windows: { train: trainWindows, validation: validationWindows },
        checkpoint: request.checkpoint,
        ms: performance.now() - started,
    };
}

async function withProgress<T>(pass: Promise<T>, report: (windowsDone: number) => void): Promise<T> {
    const timer = setInterval(() => report(nativeTrainer.progress().done), pollMs);
    try {
        return await pass;
    } finally {
        clearInterval(timer);
    }
}

function checkRequest(request: TrainModelRequest, window: number, chunk: number, startEpoch: number): void {
    const positiveInteger = (name: string, value: number) => {
        if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    };
    positiveInteger('window', window);
    positiveInteger('chunkWindows', chunk);
    positiveInteger('epochs', request.epochs);
    if (!Number.isInteger(startEpoch) || startEpoch < 0 || startEpoch >= request.epochs) {
        throw new RangeError(`startEpoch must be an epoch of the schedule (0…${request.epochs - 1}), got ${startEpoch}`);
    }
    if (!(request.learningRate > 0)) throw new RangeError(`learningRate must be positive, got ${request.learningRate}`);
    const warmup = request.warmupFraction ?? 0;
    if (!(warmup >= 0 && warmup < 1)) throw new RangeError(`warmupFraction must be in [0, 1), got ${warmup}`);
    if (request.train.length === 0) throw new RangeError('There are no training examples.');
}
