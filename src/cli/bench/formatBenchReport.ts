import { availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { formatBytes, formatParameterCount } from '../../core/format';
import { meetsGoal, type BenchFigure } from './BenchSection';
import type { ModelReport } from './BenchRunner';

export interface MachineDescription {
    cpu: string;
    logicalCores: number;
    memoryGiB: number;
    os: string;
    node: string;
}

/** The whole `promptscope bench --json` object. */
export interface BenchReport {
    /** The command line as run, so that a figure can be reproduced. */
    command: string;
    date: string;
    machine: MachineDescription;
    models: ModelReport[];
}

export function describeMachine(): MachineDescription {
    return {
        cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
        logicalCores: availableParallelism(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        os: `${type()} ${release()}`,
        node: process.version,
    };
}

/** The text report: a header per model, then one table per section. */
export function formatBenchReport(report: BenchReport): string {
    const m = report.machine;
    const lines = [
        `$ ${report.command}`,
        `${report.date}: ${m.cpu}, ${m.logicalCores} logical cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`,
    ];
    for (const model of report.models) {
        lines.push(
            '',
            `Model: ${model.name} (${formatParameterCount(model.parameters)} parameters, ${model.quantization}, ${formatBytes(model.fileSizeBytes)})`,
            `       ${model.path}`,
            `Runtime: ${model.backend}, ${model.threads} thread${model.threads === 1 ? '' : 's'}, context ${model.contextSize}; `
                + `pp ${model.promptTokens} tokens, tg ${model.genTokens} tokens (greedy), median of ${model.repeat}`,
        );
        for (const section of model.sections) {
            lines.push('', section.title);
            if (section.figures.length > 0) lines.push(...formatTable(section.figures));
            for (const note of section.notes) lines.push(`  note: ${note}`);
        }
    }
    return lines.join('\n') + '\n';
}

function formatTable(figures: readonly BenchFigure[]): string[] {
    const rows = figures.map(f => [f.label, `${formatValue(f.value, f.unit)} ${f.unit}`, describeSpread(f), describeGoal(f)]);
    const widths = [0, 1, 2].map(i => Math.max(...rows.map(row => row[i]!.length)));
    return rows.map(row => `  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]}`.trimEnd());
}

function formatValue(value: number, unit: string): string {
    if (unit === '×') return value.toFixed(3);
    if (Math.abs(value) >= 100) return Math.round(value).toString();
    return value.toFixed(1);
}

function describeSpread(figure: BenchFigure): string {
    const samples = figure.samples;
    if (!samples || samples.length < 2) return '';
    return `(${formatValue(Math.min(...samples), figure.unit)}–${formatValue(Math.max(...samples), figure.unit)})`;
}

function describeGoal(figure: BenchFigure): string {
    const met = meetsGoal(figure);
    if (met === undefined || !figure.goal) return '';
    const { min, max } = figure.goal;
    const bounds = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(', ');
    return `goal ${bounds}: ${met ? 'met' : 'NOT MET'}`;
}
