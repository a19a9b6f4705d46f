// The benchmark's one in-process runtime, and the CLI's only import of src/runtime/host (an exception named in
// test/unit/layering.test.ts). The "RPC overhead" figures compare the runtime host, reached over RPC like every other
// caller, with the same engine the host wraps running in this process: that baseline cannot be had through the client.
import type { LoadModelOptions, RuntimeLogSink } from '../../shared/runtimeApi';
import { LlamaEngine } from '../../runtime/host/engine/LlamaEngine';
import type { CompletionTarget } from './measureThroughput';
import { measureNodeLlamaSpeculation, type NodeLlamaSpeculationJob, type NodeLlamaSpeculationRun } from '../../runtime/host/engine/nodeLlamaSpeculation';

export type { NodeLlamaSpeculationJob } from '../../runtime/host/engine/nodeLlamaSpeculation';

/**
 * Loads the model in this process with `options` (the ones the host resolved), hands the engine to `use` as a
 * {@link CompletionTarget} (what the client also is, so both are timed by the same code), and unloads it afterwards,
 * also when `use` throws. With `verbose`, llama.cpp's and the engine's logs go to stderr.
 */
export async function withInProcessEngine<T>(options: LoadModelOptions, verbose: boolean, use: (engine: CompletionTarget) => Promise<T>): Promise<T> {
    const log: RuntimeLogSink = (level, message, source) => {
        if (verbose && level !== 'debug' && level !== 'trace') process.stderr.write(`[in-process ${source}] ${message}\n`);
    };
    const engine = new LlamaEngine({ log });
    try {
        await engine.loadModel(options);
        return await use(engine);
    } finally {
        await engine.dispose();
    }
}

/**
 * node-llama-cpp's own speculative decoding (its token predictors) on the model loaded in this process, one run per job:
 * the baseline of the speculative section, which exists only in-process (the runtime host speculates natively).
 */
export async function nodeLlamaSpeculationInProcess(options: LoadModelOptions, verbose: boolean, jobs: readonly NodeLlamaSpeculationJob[]): Promise<NodeLlamaSpeculationRun[]> {
    const log: RuntimeLogSink = (level, message, source) => {
        if (verbose && level !== 'debug' && level !== 'trace') process.stderr.write(`[in-process ${source}] ${message}\n`);
    };
    const engine = new LlamaEngine({ log });
    try {
        await engine.loadModel(options);
        const runs: NodeLlamaSpeculationRun[] = [];
        for (const job of jobs) runs.push(await measureNodeLlamaSpeculation(engine, job));
        return runs;
    } finally {
        await engine.dispose();
    }
}
