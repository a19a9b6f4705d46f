import type { EvaluationState } from '../../../shared/protocols/evaluation';

/** The whole evaluation as JSON: summary, then every row with its paths or variants. */
export function evaluationToJson(state: EvaluationState): string {
    const { prompt, dataset, strategy, samples, model, phase, total, summary, history, rows } = state;
    return JSON.stringify({
        prompt, dataset, strategy, ...(samples !== undefined ? { samples } : {}), model: model ?? null, phase, total,
        accuracy: summary?.accuracy ?? null, n: summary?.n ?? 0, correct: summary?.correct ?? 0, unmapped: summary?.unmapped ?? 0,
        confusion: summary?.confusion ?? null, perLabel: summary?.perLabel ?? null, tokens: summary?.tokens ?? null, ms: summary?.ms ?? null,
        history: history ?? null,
        results: rows,
    }, null, 2) + '\n';
}

/** One CSV line per row: index, every input field, expected, answer, correct, votes and agreement. */
export function evaluationToCsv(state: EvaluationState): string {
    const inputFields = [...new Set(state.rows.flatMap(row => Object.keys(row.input)))];
    const header = ['row', ...inputFields.map(f => `input.${f}`), 'expected', 'answer', 'raw_answer', 'correct', 'votes', 'agreement', 'unmapped', 'output', 'ms'];
    const lines = [header.map(csvField).join(',')];
    for (const row of state.rows) {
        const votes = row.votes === undefined ? '' : Object.entries(row.votes).map(([answer, count]) => `${answer}:${count}`).join(' ');
        lines.push([
            String(row.index + 1),
            ...inputFields.map(f => cellText(row.input[f])),
            row.expected, row.answer ?? '', row.rawAnswer ?? '', String(row.correct), votes,
            row.agreement === undefined ? '' : String(row.agreement), row.unmapped === undefined ? '' : String(row.unmapped),
            row.output ?? '', String(Math.round(row.ms)),
        ].map(csvField).join(','));
    }
    return lines.join('\r\n') + '\r\n';
}

function cellText(value: unknown): string {
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180: quote fields with commas, quotes or line breaks; a leading = + - @ is prefixed so spreadsheets do not run it. */
export function csvField(text: string): string {
    const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
