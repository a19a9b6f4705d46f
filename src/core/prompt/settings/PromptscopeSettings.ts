import { maxSamplePaths } from '../../../shared/limits';
import type { WatermarkOptions } from '../../../shared/watermark';
import type { TreeOfThoughtSettings } from '../../reasoning/treeOfThought';
import type { SelfAskSettings } from '../../reasoning/selfAsk';
import type { RetrievalSettings } from '../../retrieval/RetrievalSettings';
import type { BackendSetting } from '../../backends/backendSetting';
/** How a prompt is run (issue 4's reasoning strategies). */
export type PromptStrategy = 'direct' | 'cot' | 'self-consistency' | 'ensemble' | 'program-aided' | 'tree-of-thought' | 'self-ask';

export const promptStrategies: readonly PromptStrategy[] = ['direct', 'cot', 'self-consistency', 'ensemble', 'program-aided', 'tree-of-thought', 'self-ask'];

/** How an answer is pulled out of a generation. */
export type AnswerExtractor = 'last-number' | 'choice' | 'yes-no' | 'marker' | 'regex' | 'json-field';

export const answerExtractors: readonly AnswerExtractor[] = ['last-number', 'choice', 'yes-no', 'marker', 'regex', 'json-field'];

export interface AnswerSettings {
    extractor?: AnswerExtractor;
    /** Text after which the answer starts, for `marker`, e.g. `The answer is`. */
    marker?: string;
    /** Regular expression with a capture group, for `regex`. */
    pattern?: string;
    /** Field of the JSON output, for `json-field`. */
    field?: string;
    /** Verbalizer: label → the surface forms that count as it. */
    labels?: Record<string, string[]>;
}

/** Chain of thought: `zero-shot` appends the reasoning and answer triggers; `few-shot` runs the prompt as written (its exemplars show the reasoning). */
export type CotMode = 'zero-shot' | 'few-shot';

export const cotModes: readonly CotMode[] = ['zero-shot', 'few-shot'];

export interface PromptLoraSetting {
    /** As written in the front matter: relative paths are relative to the `.prompt` file. */
    path: string;
    /** Defaults to `1`. */
    scale?: number;
}

/**
 * Promptscope's own front-matter settings, written as namespaced keys (`promptscope.strategy: cot`) so that
 * Dotprompt passes them through in `ext.promptscope` and other Dotprompt tools ignore them.
 */
export interface PromptscopeSettings {
    strategy?: PromptStrategy;
    /** Paths sampled for self-consistency, or programs, chains or searches voted (program-aided, self-ask, tree-of-thought); 1 to `maxSamplePaths`. */
    samples?: number;
    answer?: AnswerSettings;
    lora?: PromptLoraSetting[];
    /** Prompt files of an ensemble, relative to this one. */
    variants?: string[];
    /** How `cot` runs. Defaults to `"zero-shot"`. */
    cot?: CotMode;
    /** Dataset field holding the expected answer in `promptscope eval`. Defaults to `"expected"`. */
    expected?: string;
    /** A watermark on the generated text (its sampling's `watermark`). Defaults to none. */
    watermark?: WatermarkOptions;
    /** Tree-of-thought's search (strategy `tree-of-thought`). Defaults to 3 thoughts, beam 2, depth 3, `value`, breadth-first. */
    tot?: TreeOfThoughtSettings;
    /** Self-ask's markers and follow-up limit (strategy `self-ask`). */
    selfAsk?: SelfAskSettings;
    /** Passages of a retrieval index put into the prompt as `@retrieved` (`{index, query, k?, mode?, include?, exclude?}`). Defaults to none. */
    retrieval?: RetrievalSettings;
    /** Where the prompt runs: the embedded runtime or OpenAI-compatible servers. Defaults to the workspace's (embedded). */
    backend?: BackendSetting;
}

/** The setting names, with the one-line documentation completion and hover show. */
export const promptscopeSettingDocs: Record<keyof PromptscopeSettings, string> = {
    strategy: 'How the prompt runs: `direct` (one generation), `cot` (chain of thought), `self-consistency` (sample several reasoning paths and vote), `ensemble` (run prompt variants and vote), `program-aided` (the model writes a JavaScript program; a sandbox runs it and its printed result is the answer; with `samples` > 1, programs vote), `tree-of-thought` (one-line thoughts searched breadth- or depth-first, valued by the model, see `tot`), `self-ask` (the model asks itself follow-up questions and answers them before the final answer, see `selfAsk`).',
    samples: `How many reasoning paths self-consistency samples (an integer from 1 to ${maxSamplePaths}); with program-aided, self-ask or tree-of-thought, how many programs, chains or searches run and vote (default 1).`,
    answer: 'How answers are extracted and mapped: `extractor` (last-number, choice, yes-no, marker, regex, json-field), `marker`, `pattern`, `field`, and `labels` (label → surface forms).',
    lora: 'LoRA adapters applied while this prompt runs: a path, `{path, scale}`, or a list of them. Relative paths are relative to the prompt.',
    variants: 'Other `.prompt` files an ensemble runs on the same input, relative to this one.',
    cot: 'How chain of thought runs: `zero-shot` (append "Let\'s think step by step.", then ask "Therefore, the answer is") or `few-shot` (the prompt\'s own exemplars show the reasoning; no trigger is added).',
    expected: 'The dataset field holding the expected answer for `promptscope eval` (default `expected`).',
    watermark: 'A watermark on the generated text (Kirchenbauer et al. 2023): `{key, gamma (default 0.25), delta (default 2), hard (default false)}`; detect it with `promptscope watermark detect --key`.',
    tot: 'Tree-of-thought search: `{thoughts (per state, default 3), beamWidth (default 2), maxDepth (default 3), evaluator: value | vote (default value), search: breadth | depth (default breadth), pruneBelow}`. Depth-first follows the best-valued thought first, prunes states valued below `pruneBelow` (0…1; default 0.25 with value, half an even vote share with vote), backtracks from dead ends, stops at the first stated answer, and expands at most beamWidth × maxDepth states.',
    backend: 'Where the prompt runs: `embedded` (Promptscope\'s own runtime), an OpenAI-compatible server\'s base URL (llama-server, vLLM, SGLang, Ollama), several comma-separated (requests go to each in turn), or `{url, model}`. The API key comes from PROMPTSCOPE_BACKEND_API_KEY (CLI) or the secret storage (VS Code: Promptscope: Set Server API Key…), never from the file. In VS Code it wins over the `promptscope.backend` setting; an untrusted workspace may not name a server.',
    selfAsk: 'Self-ask: `{followUp (default "Follow up:"), intermediate (default "Intermediate answer:"), final (default "So the final answer is:"), maxFollowUps (default 3), answerWith: model | retrieval (default model: retrieval answers each follow-up with the nearest passage of the `promptscope.retrieval` index)}`.',
    retrieval: 'Retrieval into the prompt: `{index, query, k (default 3), mode: vector | hybrid, include, exclude}`: the `k` chunks of the index (a folder written by `promptscope index`, relative to the prompt) nearest to `query` (a Handlebars template over the input, e.g. `"{{question}}"`), embedded by the model the index was built with, become `@retrieved` in the template: `{{#each @retrieved}}{{text}} ({{file}}:{{startLine}}){{/each}}`, each with `score`, `rank`, `endLine`. `include` / `exclude` (globs relative to the indexed folder, e.g. `docs/**/*.md`) keep only passages of the files they select.',
};
