import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CancelledError } from '../../shared/errors/CancelledError';
import { DocumentSelectionError } from '../../shared/errors/DocumentSelectionError';
import { checkWritable } from '../../core/files';
import {
    buildRetrievalIndex, compileDocumentSelection, defaultChunkOverlap, defaultChunkSize, defaultExclude, defaultInclude, defaultIndexFolder, indexFiles,
    selectionFromExtensions, type BuildIndexResult, type DocumentSelection, type IndexProgress, type SelectionKeys,
} from '../../core/retrieval';
import { isRemoteModelUri } from '../../core/model/modelUri';
import type { CliCommand } from '../CliCommand';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag, threadsFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { withRetrievalEmbedder } from '../RetrievalEmbedder';
import { chooseModel } from '../runtimeSession';
import { UsageError } from '../UsageError';

const usage = `Usage: promptscope index DIR --model M [--out INDEX] [--include GLOB]... [--exclude GLOB]... [--chunk-size N] [--chunk-overlap N] [--rebuild] [--json]

Builds (or updates) a retrieval index of the documents under DIR that the globs select: each file chunked with
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
  --include GLOB       Index the files this glob matches, relative to DIR (e.g. 'docs/**/*.md'); repeat for more.
                       Default: ${defaultInclude.join(' ')} (markdown, text, source files)
  --exclude GLOB       Leave out the files or folders this glob matches; repeat for more. Given, it replaces the
                       default: ${defaultExclude.join(' ')} (build outputs)
  --ext LIST           Shorthand for --include '**/*.md' per ending, comma-separated (e.g. .md,.txt)
  --rebuild            Ignore an existing index at INDEX and build it anew
  --threads N          CPU threads of the embedding context (default: physical cores - 1)
  --json               Print {index, model, dimensions, files, chunks, embeddedFiles, reusedFiles, embeddedChunks,
                       skipped, embedMs, ms, chunksPerSecond} instead of the summary line
`;

export const indexCommand: CliCommand = {
    name: 'index',
    summary: 'Index a folder\'s documents (markdown, text, code; --include/--exclude globs) for retrieval into prompts',
    usage,
    allowPositionals: true,
    options: {
        ...stringOptions('model', 'out', 'chunk-size', 'chunk-overlap', 'ext', 'threads'), ...booleanOptions('rebuild'),
        include: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true },
    },
    async run({ values, positionals, json, verbose }) {
        if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the folder of documents to index' : `one folder at a time (got ${positionals.join(', ')})`);
        const folder = resolve(positionals[0]!);
        const info = await stat(folder).catch(() => undefined);
        if (info === undefined) throw new UsageError(`DIR ${folder} does not exist: give a folder of documents`);
        if (!info.isDirectory()) throw new UsageError(`DIR ${folder} is a file, not a folder: give the folder that holds it`);
        // Before the model is looked for: a glob that does not parse is wrong whatever the model.
        const selection = selectionFlags(values);
        const model = chooseModel(values.model as string | undefined);
        if (isRemoteModelUri(model)) throw new UsageError(`--model ${model}: index with a local .gguf file (download it first with promptscope info --model ${model})`);
        const chunkSize = integerFlag(values, 'chunk-size') ?? defaultChunkSize;
        if (chunkSize < 20) throw new UsageError(`--chunk-size expects at least 20 characters, got ${chunkSize}`);
        const chunkOverlap = integerFlag(values, 'chunk-overlap') ?? Math.min(defaultChunkOverlap, Math.floor(chunkSize / 2));
        if (chunkOverlap < 0 || chunkOverlap > chunkSize / 2) throw new UsageError(`--chunk-overlap expects 0 to half of --chunk-size (${Math.floor(chunkSize / 2)}), got ${chunkOverlap}`);
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
                folder, out, root, model, embedder, chunkSize, chunkOverlap, selection, selectionKeys: flagKeys, rebuild: values.rebuild === true,
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

const flagKeys: SelectionKeys = { include: '--include', exclude: '--exclude' };

/**
 * `--include` / `--exclude` (each repeatable: a glob may hold commas, `**\/*.{md,txt}`), or `--ext .md,.txt` as the
 * include globs; checked here so a bad pattern is a usage error before the model loads.
 */
function selectionFlags(values: Record<string, unknown>): DocumentSelection {
    const include = values.include as string[] | undefined;
    const exclude = (values.exclude as string[] | undefined) ?? defaultExclude;
    let selection: DocumentSelection;
    if (values.ext !== undefined) {
        if (include !== undefined) throw new UsageError('--ext and --include both say which files to index: give one (--ext .md is --include \'**/*.md\')');
        const list = String(values.ext).split(',').map(e => e.trim().toLowerCase()).filter(e => e !== '');
        if (list.length === 0) throw new UsageError(`--ext expects file name endings such as .md,.txt, got ${JSON.stringify(values.ext)}`);
        selection = selectionFromExtensions(list.map(e => (e.startsWith('.') ? e : `.${e}`)), exclude);
    } else {
        selection = { include: include ?? defaultInclude, exclude };
    }
    try {
        compileDocumentSelection(selection, flagKeys);
    } catch (error) {
        if (error instanceof DocumentSelectionError) throw new UsageError(error.message);
        throw error;
    }
    return selection;
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
