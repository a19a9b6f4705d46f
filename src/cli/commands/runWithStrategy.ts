import { resolve } from 'node:path';
import type { ChatMessage, GpuSetting, SamplingOptions } from '../../runtime/api';
import { PromptDocument, readPromptscopeSettings } from '../../core/prompt';
import type { PromptscopeSettings } from '../../core/prompt/settings/PromptscopeSettings';
import { answerHandlingFor, runSelfConsistency, selfConsistencyDefaults } from '../../core/reasoning/selfConsistency';
import { validateSampling } from '../../core/sampling/validateSampling';
import { chatPathGenerator } from '../../runtime/chatPathGenerator';
import type { CliCommand } from '../CliCommand';
import { loadPromptSource } from '../loadPromptSource';
import { integerFlag, jsonObjectFlag, loraFlags, numberFlag } from '../parseFlags';
import { RuntimeSession } from '../runtimeSession';
import { UsageError } from '../UsageError';
import { runCommand } from './run';

const strategies = ['direct', 'self-consistency'] as const;
type CliStrategy = typeof strategies[number];

const usage = `${runCommand.usage}
Strategies:
  --strategy S         direct | self-consistency (default: the prompt's promptscope.strategy, else direct)
  --samples N          Self-consistency paths (default: promptscope.samples, else ${selfConsistencyDefaults.samples})
  With self-consistency, --temperature defaults to ${selfConsistencyDefaults.temperature}; each path's answer is extracted and
  mapped as promptscope.answer says (default: the last number), and the vote is printed
  (--json: {answer, votes, agreement, tie, unmapped, paths: [{text, answer, meanLogprob}]}).
`;

/**
 * `promptscope run` with reasoning strategies: `direct` is the plain run command; `self-consistency` samples
 * the paths in one batch through the runtime, votes in core, and prints the vote.
 */
export const runWithStrategyCommand: CliCommand = {
    ...runCommand,
    usage,
    options: { ...runCommand.options, strategy: { type: 'string' }, samples: { type: 'string' } },
    async run(args) {
        const { values, positionals, json, verbose } = args;
        const file = positionals.length === 1 ? positionals[0] : undefined;
        const flag = values.strategy as string | undefined;
        if (flag !== undefined && !strategies.includes(flag as CliStrategy)) {
            throw new UsageError(`--strategy must be one of ${strategies.join(', ')} (cot and ensemble are not available in the CLI yet); got "${flag}"`);
        }
        const settings = file?.endsWith('.prompt') ? await promptSettings(resolve(file)) : {};
        // Other front-matter strategies run directly here rather than fail: the file stays usable.
        const strategy: CliStrategy = (flag as CliStrategy | undefined) ?? (settings.strategy === 'self-consistency' ? 'self-consistency' : 'direct');
        if (strategy === 'direct') {
            if (values.samples !== undefined) throw new UsageError('--samples applies to --strategy self-consistency');
            return runCommand.run(args);
        }

        if (positionals.length > 1) throw new UsageError(`one prompt file at a time (got ${positionals.join(', ')})`);
        const text = values.text as string | undefined;
        if ((file === undefined) === (text === undefined)) throw new UsageError('give either a prompt file or --text "…"');
        if (values.raw === true) throw new UsageError('--raw does not apply to self-consistency: the paths go through the chat template');
        const input = jsonObjectFlag(values, 'input');
        if (input !== undefined && !file?.endsWith('.prompt')) throw new UsageError('--input applies to .prompt files only');
        const samples = integerFlag(values, 'samples') ?? settings.samples ?? selfConsistencyDefaults.samples;
        if (samples < 1) throw new UsageError(`--samples must be at least 1; got ${samples}`);
        const temperature = numberFlag(values, 'temperature') ?? selfConsistencyDefaults.temperature;
        const seed = integerFlag(values, 'seed');
        const flags: SamplingOptions = { temperature };
        const maxTokens = integerFlag(values, 'max-tokens');
        const topK = integerFlag(values, 'top-k');
        const topP = numberFlag(values, 'top-p');
        const minP = numberFlag(values, 'min-p');
        if (maxTokens !== undefined) flags.maxTokens = maxTokens;
        if (topK !== undefined) flags.topK = topK;
        if (topP !== undefined) flags.topP = topP;
        if (minP !== undefined) flags.minP = minP;
        validateSampling(flags);
        // Settings problems (a regex without a group, clashing labels) fail before a model is loaded.
        const handling = answerHandlingFor(settings.answer);

        const source = file !== undefined ? await loadPromptSource(resolve(file), input) : { kind: 'text' as const, text: text! };
        const messages: ChatMessage[] = source.kind === 'chat' ? source.messages : [{ role: 'user', text: source.text }];
        const sampling = { ...(source.kind === 'chat' ? source.sampling : {}), ...flags };

        const session = new RuntimeSession(verbose);
        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        try {
            const info = await session.load({
                model: values.model as string | undefined,
                threads: integerFlag(values, 'threads'),
                gpu: values.gpu as GpuSetting | undefined,
                contextSize: integerFlag(values, 'context-size'),
                lora: [...(source.kind === 'chat' ? source.lora : []), ...loraFlags(values)],
            }, controller.signal);
            const startedAt = performance.now();
            const result = await runSelfConsistency(chatPathGenerator(session.client, { messages, sampling }, controller.signal), {
                samples, temperature, seed, ...handling,
            });
            const ms = Math.round(performance.now() - startedAt);
            if (json) {
                process.stdout.write(JSON.stringify({
                    strategy, answer: result.answer ?? null, votes: result.votes, agreement: result.agreement, tie: result.tie,
                    tied: result.vote.tied, unmapped: result.unmapped, samples, temperature,
                    paths: result.paths.map(p => ({ text: p.text, answer: p.answer ?? null, rawAnswer: p.rawAnswer ?? null, meanLogprob: p.meanLogprob ?? null, seed: p.seed })),
                    ms, model: info.name, modelPath: info.path, backend: info.backend,
                }, null, 2) + '\n');
            } else {
                result.paths.forEach((p, i) => {
                    const logprob = p.meanLogprob === undefined ? '' : `, mean logprob ${p.meanLogprob.toFixed(3)}`;
                    process.stdout.write(`── path ${i + 1} (seed ${p.seed}${logprob}) → ${p.answer ?? 'unmapped'}\n${p.text}\n`);
                });
                const votes = Object.entries(result.votes).map(([answer, count]) => `${answer} ×${count}`).join(', ') || 'none';
                const tie = result.tie ? ` (tie between ${result.vote.tied.join(', ')}: first to appear wins)` : '';
                process.stdout.write(`answer: ${result.answer ?? '(no answer)'}${tie}\nvotes: ${votes}; unmapped: ${result.unmapped}; `
                    + `agreement ${Math.round(result.agreement * 100)}% of ${samples} paths; ${ms} ms\n`);
            }
            return controller.signal.aborted ? 130 : 0;
        } finally {
            process.off('SIGINT', onInterrupt);
            await session.close();
        }
    },
};

async function promptSettings(path: string): Promise<PromptscopeSettings> {
    try {
        return readPromptscopeSettings((await PromptDocument.load(path)).frontMatterData()).settings;
    } catch {
        // Unreadable files get their clear error from loadPromptSource / the run command.
        return {};
    }
}
