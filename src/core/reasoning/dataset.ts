import { readBoundedText } from '../files/readBoundedText';
import { CsvError, parse as parseCsvText } from 'csv-parse/sync';
import { DatasetError } from './errors/DatasetError';
import { EmptyDatasetError } from './errors/EmptyDatasetError';

export type DatasetRow = Record<string, unknown>;

/** Rows of a `.jsonl` (one JSON object a line; blank lines skipped) or `.csv` (header row, RFC 4180 quoting) file. */
export async function readDataset(path: string): Promise<DatasetRow[]> {
    let text: string;
    try {
        text = await readBoundedText(path, 'dataset');
    } catch (error) {
        // The bounded reader's refusals (not a regular file, too large) name the file themselves.
        if ((error as NodeJS.ErrnoException).code === undefined) throw error;
        throw new DatasetError(path, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
    }
    return parseDataset(path, text);
}

/** Rows of a dataset file's text; `path` picks the format by its extension and names the file in errors. */
export function parseDataset(path: string, text: string): DatasetRow[] {
    let rows: DatasetRow[];
    if (path.endsWith('.jsonl')) rows = parseJsonl(path, text);
    else if (path.endsWith('.csv')) rows = parseCsv(path, text);
    else throw new DatasetError(path, 'use a .jsonl or .csv file');
    if (rows.length === 0) throw new EmptyDatasetError(`${path} has no rows.`);
    return rows;
}

function parseJsonl(path: string, text: string): DatasetRow[] {
    const rows: DatasetRow[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
        if (line.trim() === '') return;
        let value: unknown;
        try {
            value = JSON.parse(line);
        } catch (error) {
            throw new DatasetError(path, `line ${i + 1} is not JSON (${(error as Error).message})`);
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DatasetError(path, `line ${i + 1} is not a JSON object`);
        rows.push(value as DatasetRow);
    });
    return rows;
}

/**
 * RFC 4180 CSV through csv-parse, strictly: a quote inside an unquoted field, text after a closing quote, a quote
 * never closed or a row with more or fewer fields than the header is an error naming its line, never a guess (a
 * stray quote used to swallow the rows after it into one field). Blank lines are skipped; a BOM is dropped.
 */
function parseCsv(path: string, text: string): DatasetRow[] {
    let records: { record: string[]; info: { lines: number } }[];
    // The line the last whole record ended on: a quote never closed is only noticed at the end of the file.
    let lastRecordLine = 0;
    try {
        records = parseCsvText(text, {
            // Every line ending, mixed too (csv-parse would otherwise keep to the first line's and read a later "\n" as text).
            bom: true, skip_empty_lines: true, info: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'],
            on_record: (record, context) => { lastRecordLine = context.lines; return record; },
        }) as unknown as typeof records;
    } catch (error) {
        if (error instanceof CsvError) throw new DatasetError(path, csvProblem(error, text, lastRecordLine));
        throw error;
    }
    if (records.length === 0) return [];
    const [header, ...body] = records;
    const names = header!.record;
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) throw new DatasetError(path, `the header (line ${header!.info.lines}) names the column "${duplicate}" twice: column names must be unique`);
    return body.map(({ record, info }, i) => {
        if (record.length !== names.length) {
            throw new DatasetError(path, `row ${i + 1} (line ${info.lines}) has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${names.length}: `
                + 'quote a field that holds a comma ("a, b"), and give every row one field per column');
        }
        return Object.fromEntries(names.map((name, j) => [name, record[j]!]));
    });
}

/** csv-parse's complaint in our words: the line, what is wrong there, and how to write it instead. */
function csvProblem(error: CsvError, text: string, lastRecordLine: number): string {
    const lines = (error as CsvError & { lines?: number }).lines;
    const at = lines === undefined ? '' : `line ${lines}: `;
    switch (error.code) {
        case 'INVALID_OPENING_QUOTE':
            return `${at}a quote (") inside a field that does not start with one; quote the whole field and double the quote inside: "say ""hi"""`;
        case 'CSV_INVALID_CLOSING_QUOTE':
            return `${at}text after a quoted field's closing quote; a quote inside a quoted field is written twice ("")`;
        case 'CSV_QUOTE_NOT_CLOSED': {
            // The field opened in the row after the last whole one: its first line that is not blank.
            const following = text.split(/\r\n|\r|\n/).slice(lastRecordLine);
            const line = lastRecordLine + 1 + Math.max(0, following.findIndex(l => l.trim() !== ''));
            return `line ${line}: a quoted field in the row that starts here is never closed: add its closing quote (")`;
        }
        default:
            return `${at}${error.message}`;
    }
}

/** A row's input variables: every field but the expected answer. */
export function datasetInput(row: DatasetRow, expectedField: string): Record<string, unknown> {
    const { [expectedField]: _expected, ...input } = row;
    return input;
}

/** Fails with a DatasetError naming the first row without an expected answer. */
export function checkExpected(path: string, rows: readonly DatasetRow[], expectedField: string, fromSettings: boolean): void {
    rows.forEach((row, i) => {
        const value = row[expectedField];
        if (value === undefined || value === null || String(value).trim() === '') {
            throw new DatasetError(path, `row ${i + 1} has no "${expectedField}" field${fromSettings ? ' (promptscope.expected)' : ''}`);
        }
    });
}
