import { natsToBits, probabilityOf, surprisalBits } from './metrics';
import { pieceSummary } from '../../tokens/pieceSummary';
import type { Branch, ProbabilityReport } from '../../../shared/protocols/tokenProbabilities';

const csvColumns = ['index', 'source', 'id', 'text', 'raw', 'pieces', 'logprob', 'probability', 'surprisal_bits', 'entropy_bits', 'top'] as const;

/**
 * One row per token: `text` as shown (joined, the decoded text), `raw` the vocabulary's piece, `pieces` the bytes of split
 * characters it holds (`正 1/3`). `top` holds the raw alternatives as JSON (`[{id,text,raw,…,logprob}]`). Text cells are quoted per
 * RFC 4180; a cell that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe, since
 * token text is model output. The JSON export keeps the text exactly.
 */
export function reportToCsv(report: ProbabilityReport): string {
    const rows: string[] = [csvColumns.join(',')];
    for (const t of report.tokens) {
        rows.push([
            String(t.index),
            t.source,
            String(t.id),
            csvText(t.text),
            csvText(t.raw),
            csvText(t.pieces === undefined ? '' : pieceSummary(t.pieces)),
            numberCell(t.logprob),
            numberCell(t.logprob === null ? null : probabilityOf(t.logprob)),
            numberCell(t.logprob === null ? null : surprisalBits(t.logprob)),
            numberCell(t.entropy === null ? null : natsToBits(t.entropy)),
            csvText(JSON.stringify(t.top)),
        ].join(','));
    }
    return rows.join('\r\n') + '\r\n';
}

/** The report as the runtime gave it, plus the branches the user generated. */
export function reportToJson(report: ProbabilityReport, branches: readonly Branch[]): string {
    const finished = branches.filter(b => b.status !== 'running').map(({ id: _id, ...rest }) => rest);
    return JSON.stringify({ ...report, branches: finished }, null, 2) + '\n';
}

function numberCell(value: number | null): string {
    return value === null || !Number.isFinite(value) ? '' : String(value);
}

export function csvText(text: string): string {
    const guarded = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n']/.test(guarded) || guarded !== guarded.trim() ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
