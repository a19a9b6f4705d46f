// llama.cpp's own llama-server (built once from node-llama-cpp's bundled source by referenceTools), started by the
// tests on 127.0.0.1 with a project fixture, on a free port (src/cli/bench/LlamaServerProcess, which the bench uses
// too); every server started is killed by `stop()`, and by the process's exit if a test forgets.
import { freePort, LlamaServerProcess, type LlamaServerOptions } from '../../src/cli/bench/LlamaServerProcess';
import { referenceTool } from './referenceTools';

export { freePort };
export type LlamaServer = LlamaServerProcess;

/** llama-server on `model` with `parallel` slots (default 4), one thread, served as `fixture`. */
export async function startLlamaServer(model: string, options: LlamaServerOptions = {}): Promise<LlamaServer> {
    return LlamaServerProcess.start(await referenceTool('llama-server'), model, options);
}
