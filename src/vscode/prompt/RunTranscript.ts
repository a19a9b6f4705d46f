import { basename } from 'node:path';
import type { StrategyOutcome } from '../../core/reasoning/executeStrategy';
import { cotHeadings, pathHeading } from '../../core/reasoning/outcomeText';
import type { PromptRun } from '../../core/reasoning/PromptRun';
import type { ReasoningStrategy } from '../../core/reasoning/strategies';
import { formatTrace, reasoningTrace } from '../../core/reasoning/reasoningTrace';

/** The heading of the reasoning trace at the end of a run's output document. */
export const traceHeading = '── reasoning trace (also in the Reasoning Trace panel: Promptscope: Show Reasoning Trace)';

/**
 * The body of a run's output document, under its header: the generations as they stream (a cot run's reasoning
 * then answer turn, each ensemble variant in turn), then what only the finished outcome holds (self-consistency
 * paths, which are sampled in one batch; each variant's answer). Text is only ever appended while a run goes on.
 */
export class RunTranscript {
    private text = '';
    private generation = -1;

    /** @param variants The ensemble's prompts, the main one first; unused by the other strategies. */
    constructor(private readonly strategy: ReasoningStrategy, private readonly run: PromptRun, private readonly variants: readonly PromptRun[] = []) {}

    get body(): string {
        return this.text;
    }

    /** Appends generated text of generation `generation` (see StrategyOptions.onToken), under its heading. */
    append(text: string, generation: number): void {
        this.reach(generation);
        this.text += text;
    }

    /** Appends what the outcome adds to the streamed text. */
    finish(outcome: StrategyOutcome): void {
        this.reach(outcome.outputs.length - 1);
        if (outcome.paths !== undefined) {
            this.section(outcome.paths.map((path, index) => `${pathHeading(path, index)}\n${path.text}`).join('\n\n'));
        }
        if (outcome.variants !== undefined) {
            this.section(['── answers', ...outcome.variants.map(v => `${basename(v.file)} → ${v.answer ?? 'unmapped'}`)].join('\n'));
        }
        // The streamed turns of these strategies interleave chains, steps and programs: the trace puts them in order.
        if (outcome.strategy === 'self-ask' || outcome.strategy === 'tree-of-thought' || outcome.strategy === 'program-aided') {
            this.section(`${traceHeading}\n${formatTrace(reasoningTrace(outcome)).trimEnd()}`);
        }
    }

    /** Starts the headings of every generation up to `generation`, also those that wrote nothing. */
    private reach(generation: number): void {
        while (this.generation < generation) {
            this.generation++;
            const heading = this.heading(this.generation);
            if (heading !== undefined) this.section(`${heading}\n`);
        }
    }

    private heading(generation: number): string | undefined {
        if (this.strategy === 'cot' && this.run.settings.cot !== 'few-shot') return generation === 0 ? cotHeadings.reasoning : cotHeadings.answer;
        if (this.strategy === 'ensemble') {
            const file = this.variants[generation]?.file;
            return `── ${file === undefined ? '(text)' : basename(file)} (${generation + 1}/${this.variants.length})`;
        }
        return undefined;
    }

    private section(text: string): void {
        this.text += (this.text === '' ? '' : this.text.endsWith('\n') ? '\n' : '\n\n') + text;
    }
}
