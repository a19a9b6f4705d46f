import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CancelledError } from '../../shared/errors/CancelledError';
import { checkWritable } from '../../core/files';
import {
    buildRetrievalIndex, defaultChunkOverlap, defaultChunkSize, defaultDocumentExtensions, defaultIndexFolder, indexFiles,
    type BuildIndexResult, type IndexProgress,
} from '../../core/retrieval';
import { isRemoteModelUri } from '../../core/model/modelUri';
import type { CliCommand } from '../CliCommand';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag, threadsFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { withRetrievalEmbedder } from '../RetrievalEmbedder';
import { chooseModel } from '../runtimeSession';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope index DIR --model M [--out INDEX] [--chunk-size N] [--chunk-overlap N] [--ext .md,.txt] [--rebuild] [--json]

Builds (or updates) a retrieval index of the text and markdown documents under DIR: each file chunked with
overlap, each chunk embedded by the model M through node-llama-cpp's embedding context, the unit vectors and
chunks written to INDEX inside the current folder (never through a symbolic link). A prompt retrieves from it with
\`promptscope.retrieval: {index: INDEX, query: "{{question}}", k: 3}\`: the k nearest chunks become @retrieved.

Run again on the same INDEX, only the files whose text changed are embedded again. An INDEX built with another
model is refused (vectors of two models cannot be compared): --rebuild replaces it. Progress goes to stderr;
Ctrl-C stops and leaves the previous index as it was.

Options:
  --model M            The embedding model, a .gguf file (default: PROMPTSCOPE_MODEL)
  --out INDEX          The index folder (default: ${defaultIndexFolder}/<name of DIR>)
  --chunk-size N       Most characters per chunk (default ${defaultChunkSize})
  --chunk-overlap N    Characters consecutive chunks share, up to half the chunk size (default ${defaultChunkOverlap})
  --ext LIST           File name endings to index, comma-separated (default ${defaultDocumentExtensions.join(',')})
  --rebuild            Ignore an existing index at INDEX and build it anew
  --threads N          CPU threads of the embedding context (default: physical cores - 1)
  --json               Print {index, model, dimensions, files, chunks, embeddedFiles, reusedFiles, embeddedChunks,
                       skipped, embedMs, ms, chunksPerSecond} instead of the summary line
`;

export const indexCommand: CliCommand = {
    name: 'index',
    summary: 'Index a folder of text/markdown documents for retrieval into prompts (chunks embedded by a model)',
    usage,
    allowPositionals: true,
    options: { ...stringOptions('model', 'out', 'chunk-size', 'chunk-overlap', 'ext', 'threads'), ...booleanOptions('rebuild') },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the folder of documents to index' : `one folder at a time (got ${positionals.join(', ')})`);
        const folder = resolve(positionals[0]!);
        const info = await stat(folder).catch(() => undefined);
        if (info === undefined) throw new UsageError(`DIR ${folder} does not exist: give a folder of .md or .txt documents`);
        if (!info.isDirectory()) throw new UsageError(`DIR ${folder} is a file, not a folder: give the folder that holds it`);
        const model = chooseModel(values.model as string | undefined);
        if (isRemoteModelUri(model)) throw new UsageError(`--model ${model}: index with a local .gguf file (download it first with promptscope info --model ${model})`);
        const chunkSize = integerFlag(values, 'chunk-size') ?? defaultChunkSize;
        if (chunkSize < 20) throw new UsageError(`--chunk-size expects at least 20 characters, got ${chunkSize}`);
        const chunkOverlap = integerFlag(values, 'chunk-overlap') ?? Math.min(defaultChunkOverlap, Math.floor(chunkSize / 2));
        if (chunkOverlap < 0 || chunkOverlap > chunkSize / 2) throw new UsageError(`--chunk-overlap expects 0 to half of --chunk-size (${Math.floor(chunkSize / 2)}), got ${chunkOverlap}`);
        const extensions = extensionsFlag(values.ext);
        const threads = threadsFlag(values);
        const root = process.cwd();
        const out = resolve(typeof values.out === 'string' ? values.out : join(defaultIndexFolder, basename(folder) || 'index'));
        // Before any embedding: an INDEX outside the current folder or through a link fails now, not after the work.
        checkWritable(join(out, indexFiles.manifest), { root });

        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        const progress = progressPrinter();
        let result: BuildIndexResult;
        try {
            result = await withRetrievalEmbedder(embedder => buildRetrievalIndex({
                folder, out, root, model, embedder, chunkSize, chunkOverlap, extensions, rebuild: values.rebuild === true,
                ...(threads !== undefined ? { threads } : {}), signal: controller.signal, onProgress: progress,
            }), verbose);
        } catch (error) {
            if (controller.signal.aborted && error instanceof CancelledError) throw new CancelledError(`indexing ${folder} (the index at ${out} was left as it was)`);
            throw error;
        } finally {
            process.off('SIGINT', onInterrupt);
        }
        const { manifest } = result;
        const chunksPerSecond = result.embedMs > 0 ? result.embeddedChunks / (result.embedMs / 1000) : null;
        if (json) {
            printJson({
                index: result.folder, model: manifest.model.path, dimensions: manifest.model.dimensions, files: manifest.files.length, chunks: manifest.chunks,
                embeddedFiles: result.embeddedFiles, reusedFiles: result.reusedFiles, embeddedChunks: result.embeddedChunks, skipped: result.skipped,
                embedMs: result.embedMs, ms: result.ms, chunksPerSecond,
            });
            return;
        }
        process.stdout.write(`Indexed ${manifest.files.length} file${manifest.files.length === 1 ? '' : 's'} (${manifest.chunks} chunks, ${manifest.model.dimensions} dimensions, `
            + `model ${manifest.model.name}) into ${result.folder} in ${(result.ms / 1000).toFixed(1)} s: `
            + `${result.embeddedChunks} chunks of ${result.embeddedFiles} file${result.embeddedFiles === 1 ? '' : 's'} embedded`
            + `${chunksPerSecond === null ? '' : ` (${chunksPerSecond.toFixed(1)} chunks/s)`}, ${result.reusedFiles} unchanged, ${result.skipped} other file${result.skipped === 1 ? '' : 's'} skipped.\n`);
    },
};

/** `--ext .md,.txt`: endings with their dot, lower-cased. */
function extensionsFlag(raw: unknown): readonly string[] {
    if (raw === undefined) return defaultDocumentExtensions;
    const list = String(raw).split(',').map(e => e.trim().toLowerCase()).filter(e => e !== '');
    if (list.length === 0) throw new UsageError(`--ext expects file name endings such as .md,.txt, got ${JSON.stringify(raw)}`);
    return list.map(e => (e.startsWith('.') ? e : `.${e}`));
}

/** Progress on stderr: a line rewritten in place on a terminal, else at most one line every two seconds and each phase's first. */
function progressPrinter(): (progress: IndexProgress) => void {
    let lastShown = 0;
    let lastPhase = '';
    return progress => {
        const now = Date.now();
        const phaseChanged = progress.phase !== lastPhase;
        if (!phaseChanged && now - lastShown < (process.stderr.isTTY ? 200 : 2000)) return;
        lastShown = now;
        lastPhase = progress.phase;
        const line = progress.phase === 'read' ? `Reading documents: ${progress.filesDone}/${progress.files}`
            : progress.phase === 'embed' ? `Embedding chunks: ${progress.embedded}/${progress.toEmbed}${progress.toEmbed > 0 ? ` (${Math.round(100 * progress.embedded / progress.toEmbed)}%)` : ''}`
            : 'Writing the index';
        process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}${progress.phase === 'write' ? '\n' : ''}` : `${line}\n`);
    };
}
