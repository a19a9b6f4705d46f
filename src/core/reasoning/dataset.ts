import { readFile } from 'node:fs/promises';
import { DatasetError } from './errors/DatasetError';
import { EmptyDatasetError } from './errors/EmptyDatasetError';

export type DatasetRow = Record<string, unknown>;

/** Rows of a `.jsonl` (one JSON object a line; blank lines skipped) or `.csv` (header row, RFC 4180 quoting) file. */
export async function readDataset(path: string): Promise<DatasetRow[]> {
    let text: string;
    try {
        text = await readFile(path, 'utf8');
    } catch (error) {
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

function parseCsv(path: string, text: string): DatasetRow[] {
    const records = csvRecords(path, text.replace(/^\uFEFF/, '')).filter(r => !(r.length === 1 && r[0] === ''));
    if (records.length === 0) return [];
    const [header, ...body] = records;
    return body.map((record, i) => {
        if (record.length !== header!.length) throw new DatasetError(path, `row ${i + 2} has ${record.length} fields; the header has ${header!.length}`);
        return Object.fromEntries(header!.map((name, j) => [name, record[j]!]));
    });
}

/** RFC 4180: fields separated by commas, quoted fields may hold commas, newlines and doubled quotes. */
function csvRecords(path: string, text: string): string[][] {
    const records: string[][] = [];
    let record: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"' && field === '') quoted = true;
        else if (c === ',') { record.push(field); field = ''; } else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n') i++;
            record.push(field);
            records.push(record);
            record = [];
            field = '';
        } else field += c;
    }
    if (quoted) throw new DatasetError(path, 'a quoted field is never closed');
    if (field !== '' || record.length > 0) {
        record.push(field);
        records.push(record);
    }
    return records;
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
