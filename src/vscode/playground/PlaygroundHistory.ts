import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { readBoundedText } from '../../core/files/readBoundedText';
import { join } from 'node:path';
import { modelFileHash } from '../../core/reasoning/history/modelFileHash';
import { RunHistory } from '../../core/reasoning/history/RunHistory';
import type { CompletionResult, ModelInfo } from '../../shared/runtimeApi';
import type { PlaygroundRun } from '../../core/panels/playground/buildRequest';
import type { HistoryEntry, PlaygroundForm } from '../../shared/protocols/playground';

/** One record of the history file as the playground reads it back (the CLI's fields, plus `playground` for its own runs). */
export interface HistoryRecord {
    time?: string;
    command?: string;
    messages?: { role: string; text: string }[];
    sampling?: Record<string, unknown>;
    seed?: number | null;
    adapters?: { path: string; scale?: number }[];
    outputs?: string[];
    /** The form of a playground run, to reopen it exactly. */
    playground?: PlaygroundForm;
    model?: { path?: string };
}

export interface PlaygroundHistoryOptions {
    /** Whether runs are recorded (`promptscope.history.enabled`), asked per run. Defaults to always. */
    enabled?: () => boolean;
    /** Where warnings about the files read back go (the log). Defaults to nowhere. */
    warn?: (message: string) => void;
}

/**
 * The playground's side of the run history: every run is appended as one line to the same JSONL the CLI writes
 * (`.promptscope/runs/YYYY-MM-DD.jsonl` in the workspace, with the CLI's own RunHistory and model fingerprint), with
 * `command: "playground"` and the form; the History list reads the newest records of those files back.
 */
export class PlaygroundHistory {
    /** Damaged lines already reported, per file, so a list refreshed after each run warns once. */
    private readonly reportedDamage = new Map<string, number>();

    constructor(private readonly folder: () => string | undefined, private readonly options: PlaygroundHistoryOptions = {}) {}

    /** The runs folder, or undefined without a (file) workspace folder. */
    get directory(): string | undefined {
        const root = this.folder();
        return root === undefined ? undefined : join(root, '.promptscope', 'runs');
    }

    /**
     * Appends a finished run; returns the file written, or undefined without a workspace folder or with the history
     * turned off (`promptscope.history.enabled`). Throws the UnsafePathError or FileWriteError that kept it from the
     * file (a symbolic link there, a read-only folder, a full disk), for the caller to warn about once the run is shown.
     */
    async append(form: PlaygroundForm, run: PlaygroundRun, model: ModelInfo, result: CompletionResult): Promise<string | undefined> {
        const directory = this.directory;
        if (directory === undefined || this.options.enabled?.() === false) return undefined;
        const messages = run.mode === 'chat' ? run.messages : [{ role: 'user', text: run.prompt }];
        // A watermark's key is a secret: the record keeps its settings, never the key (a reopened form asks for it again).
        const { watermark, ...rest } = run.sampling;
        const sampling = { ...rest, ...(watermark !== undefined ? { watermark: { ...watermark, key: undefined } } : {}), seed: result.seed };
        const record = {
            time: new Date().toISOString(),
            command: 'playground',
            prompt: null,
            promptHash: createHash('sha256').update(JSON.stringify({ mode: run.mode, messages })).digest('hex'),
            input: null,
            messages,
            model: { name: model.name, path: model.path, hash: await modelFileHash(model.path), sizeBytes: model.fileSizeBytes },
            sampling,
            seed: result.seed,
            adapters: run.lora ?? model.lora,
            strategy: 'direct',
            outputs: [result.text],
            answer: null,
            rawAnswer: null,
            reasoning: null,
            votes: null,
            variants: null,
            timing: { ms: Math.round(result.timing.ms), promptTokens: result.timing.promptTokens, generatedTokens: result.timing.generatedTokens },
            mode: run.mode,
            stopReason: result.stopReason,
            playground: form.watermark !== undefined ? { ...form, watermark: { ...form.watermark, key: '' } } : form,
        };
        const history = new RunHistory(undefined, this.folder());
        if (!history.append(record)) throw history.failure!;
        return history.path;
    }

    /** The newest `limit` records of the history files, newest first. */
    async list(limit = 30): Promise<HistoryEntry[]> {
        const records = await this.records(limit);
        return records.map(({ key, record }) => ({
            key,
            time: record.time ?? '',
            command: record.command ?? '',
            preview: (record.messages ?? []).filter(m => m.role !== 'system').map(m => m.text).join(' / ').replace(/\s+/g, ' ').slice(0, 120),
            output: (record.outputs?.[0] ?? '').replace(/\s+/g, ' ').slice(0, 120),
            seed: typeof record.seed === 'number' ? record.seed : null,
            openable: record.playground !== undefined || Array.isArray(record.messages),
        }));
    }

    /** The record `key` (`file:line`) names. */
    async get(key: string): Promise<HistoryRecord | undefined> {
        const directory = this.directory;
        const match = /^([^/\\:]+\.jsonl):(\d+)$/.exec(key);
        if (directory === undefined || match === null) return undefined;
        const lines = (await readBoundedText(join(directory, match[1]!), 'history')).split('\n');
        return parseRecord(lines[Number(match[2])] ?? '');
    }

    private async records(limit: number): Promise<{ key: string; record: HistoryRecord }[]> {
        const directory = this.directory;
        if (directory === undefined) return [];
        let files: string[];
        try {
            files = (await readdir(directory)).filter(f => f.endsWith('.jsonl')).sort().reverse();
        } catch {
            return [];
        }
        const out: { key: string; record: HistoryRecord }[] = [];
        for (const file of files) {
            const lines = (await readBoundedText(join(directory, file), 'history')).split('\n');
            let damaged = 0;
            for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
                const record = parseRecord(lines[i]!);
                if (record !== undefined) out.push({ key: `${file}:${i}`, record });
                else if (lines[i]!.trim() !== '') damaged++;
            }
            this.reportDamage(join(directory, file), damaged);
            if (out.length >= limit) break;
        }
        // Files are per day and lines in time order; a tie-break by time keeps other writers' (--out) lines in place.
        return out.sort((a, b) => (b.record.time ?? '').localeCompare(a.record.time ?? ''));
    }

    /** Warns of damaged lines (a write cut short by a full disk or a kill) once per file and count. */
    private reportDamage(file: string, damaged: number): void {
        if (damaged === 0 || this.reportedDamage.get(file) === damaged) return;
        this.reportedDamage.set(file, damaged);
        this.options.warn?.(`Run history ${file}: skipped ${damaged} damaged line${damaged === 1 ? '' : 's'} (a write cut short by a full disk or a killed process)`);
    }
}

/** A line as a record, or undefined for a blank or damaged line (a killed writer leaves at most its last one). */
function parseRecord(line: string): HistoryRecord | undefined {
    if (line.trim() === '') return undefined;
    try {
        const value: unknown = JSON.parse(line);
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as HistoryRecord : undefined;
    } catch {
        return undefined;
    }
}
