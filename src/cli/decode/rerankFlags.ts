import { resolve } from 'node:path';
import type { ChatMessage } from '../../shared/runtimeApi';
import { preparePrompt, readPromptSource, type PreparedPrompt, type PromptSource } from '../../core/prompt';
import { labelDistribution } from '../../core/reasoning/labelDistribution';
import { rerankCandidates, type RerankCandidate, type RerankedCandidate } from '../../core/decoding/rerankCandidates';
import { escapeControlCharacters } from '../../core/text/escapeControlCharacters';
import { labelForms } from '../commands/score';
import { modelChoice } from '../modelFlags';
import { integerFlag } from '../parseFlags';
import type { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';

/** `--rerank FILE` with its companions, checked before any model loads. */
export interface RerankFlags {
    file: string;
    source: PromptSource;
    forms: Record<string, string[]>;
    label: string;
    candidates: number;
    /** Absolute path of the model that scores, when not the generating one. */
    model?: string;
}

/** The most candidates one reranking generates and scores. */
export const maxRerankCandidates = 32;

/** The variables a scorer prompt is rendered with. */
const scorerVariables = ['candidate', 'prompt'];

export async function rerankFlags(values: Record<string, unknown>, method: string, beams: number): Promise<RerankFlags | undefined> {
    const file = values.rerank as string | undefined;
    if (file === undefined) {
        for (const flag of ['candidates', 'rerank-label', 'rerank-model']) {
            if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --rerank SCORER.prompt`);
        }
        return undefined;
    }
    if (method === 'greedy') throw new UsageError('--rerank needs candidates: use --method sample or --method beam');
    if (!file.endsWith('.prompt')) throw new UsageError(`--rerank ${file}: the scorer must be a .prompt file (its labels come from promptscope.answer.labels)`);
    const candidates = integerFlag(values, 'candidates') ?? (method === 'beam' ? beams : 8);
    if (candidates < 2 || candidates > maxRerankCandidates) throw new UsageError(`--candidates must be a whole number from 2 to ${maxRerankCandidates}, got ${candidates}`);
    const source = await readPromptSource(resolve(file));
    // Rendered once with empty values: a template or settings mistake fails here, before a model loads.
    const probe = await preparePrompt(source, { input: Object.fromEntries(scorerVariables.map(name => [name, ''])) });
    let forms: Record<string, string[]>;
    try {
        forms = labelForms(undefined, probe.settings.answer?.labels);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        throw new UsageError(`--rerank ${file}: the scorer needs promptscope.answer.labels (e.g. yes: [Yes] and no: [No]) to score candidates by`);
    }
    const labels = Object.keys(forms);
    const label = (values['rerank-label'] as string | undefined) ?? labels[0]!;
    if (!labels.includes(label)) throw new UsageError(`--rerank-label ${JSON.stringify(label)} is not a label of ${file}: its labels are ${labels.join(', ')}`);
    const model = typeof values['rerank-model'] === 'string' ? resolve(values['rerank-model']) : undefined;
    return { file: resolve(file), source, forms, label, candidates, ...(model ? { model } : {}) };
}

/** The prompt's text as the scorer sees it in {{prompt}}: raw text as is, a chat prompt's turns one per line. */
export function promptText(prepared: PreparedPrompt): string {
    return prepared.kind === 'text' ? prepared.text : prepared.messages.map(m => `${m.role}: ${m.text}`).join('\n');
}

export interface RerankOutcome {
    scorer: string;
    label: string;
    /** The scoring model's name. */
    model: string;
    /** Best first. */
    candidates: RerankedCandidate[];
    /** Index (in generation order) of the picked candidate. */
    pick: number;
}

/**
 * Scores the candidates with the scorer prompt by label probability (the runtime's scoreContinuations, as `score`
 * does), on the generating model or on --rerank-model, loaded now.
 */
export async function rerankResults(flags: RerankFlags, candidates: readonly RerankCandidate[], prompt: string,
    call: { session: RuntimeSession; values: Record<string, unknown>; signal: AbortSignal }): Promise<RerankOutcome> {
    const info = flags.model ? await call.session.load({ ...modelChoice(call.values), model: flags.model }, call.signal) : await call.session.client.modelInfo();
    const continuations = [...new Set(Object.values(flags.forms).flat())];
    const result = await rerankCandidates(candidates, flags.label, async candidate => {
        const scorer = await preparePrompt(flags.source, { input: { candidate: candidate.text, prompt } });
        const scores = await call.session.client.scoreContinuations({ prompt: scorer.messages as ChatMessage[], continuations });
        const logprob = new Map(scores.scores.map(s => [s.text, s.logprob]));
        return labelDistribution(Object.fromEntries(Object.entries(flags.forms).map(([label, list]) => [label, list.map(f => logprob.get(f)!)])));
    });
    return { scorer: flags.file, label: flags.label, model: info?.name ?? '', candidates: result.ranked, pick: result.ranked[0]!.index };
}

export function formatRerank(outcome: RerankOutcome): string {
    const lines = outcome.candidates.map((c, rank) => `${rank === 0 ? '→' : ' '} #${c.index + 1} P(${outcome.label}) ${c.score.toFixed(4)}, log P ${c.logprob.toFixed(4)}  `
        + JSON.stringify(escapeControlCharacters(c.text)));
    return `${lines.join('\n')}\nscored by ${outcome.scorer} on ${outcome.model}; picked #${outcome.pick + 1}\n`;
}
