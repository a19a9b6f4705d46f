import { maxBeams, type BeamSearchResult } from '../../shared/runtimeApi';
import { decodeBeam, decodeSampled, greedySampling, type DecodedSequence, type DecodeTarget } from '../../core/decoding/decodeMethod';
import { escapeControlCharacters } from '../../core/text/escapeControlCharacters';
import type { CliCommand } from '../CliCommand';
import { modelOptions } from '../modelFlags';
import { booleanOptions, stringOptions } from '../optionTables';
import { integerFlag, numberFlag } from '../parseFlags';
import { printJson } from '../printJson';
import { preparePromptTarget, promptTarget, promptTargetOptions, requestLora, sourceSampling } from '../promptTarget';
import { samplingFlags, samplingOptions, type SamplingFlag } from '../samplingFlags';
import { UsageError } from '../UsageError';
import { withFlagModel } from '../withFlagModel';
import { formatRerank, promptText, rerankFlags, rerankResults } from '../decode/rerankFlags';

const methods = ['greedy', 'beam', 'sample'] as const;
type DecodeMethod = (typeof methods)[number];

const decodeSamplingFlags = ['seed', 'temperature', 'top-k', 'top-p', 'min-p', 'repeat-penalty'] as const satisfies readonly SamplingFlag[];

const usage = `Usage: promptscope decode (FILE.prompt | FILE.txt | --text "…") --method greedy|beam|sample [options]

Decodes the prompt by one method and reports each result's text with its sequence log-probability under the raw
model (temperature 1, no filters), its perplexity and every token's log-probability.
  greedy   the most likely token at each step
  beam     beam search over raw log-probabilities: --beams K (default 4) sequences share the prompt's KV cells; the
           kept beams by cumulative log-probability each step, the n best by score = log-probability / length^α
  sample   one sample with the sampling flags (the prompt's config, then the flags)

Options:
  --method M           greedy, beam or sample (default greedy)
  --max-tokens N       Tokens at most (default 32)
  --beams K            Beams, 1-${maxBeams} (beam; default 4)
  --length-penalty A   α of the beam score (beam; default 1)
  --n-best N           Hypotheses printed (beam; default K)
  --beam-groups G      Diverse beam search (Vijayakumar et al. 2016): G groups of K/G beams, G dividing K (beam;
                       default 1, plain beam search)
  --diversity L        λ of the groups' Hamming diversity penalty: a group ranks an extension by its log-probability
                       less L × the earlier groups' beams that chose its token at that step (beam; default 0)
  --tree               Print the beam search tree: each step's kept, finished and pruned extensions (beam)
  --seed S, --temperature T, --top-k K, --top-p P, --min-p P, --repeat-penalty R   sampling (sample)
  --no-exact           F16 KV cache instead of F32 (faster, ~1e-3 off)
  --rerank FILE        Classifier-guided reranking (sample, beam): score every candidate with FILE, a .prompt whose
                       input variables are {{candidate}} (the generated text) and {{prompt}} (the prompt's text) and
                       whose promptscope.answer.labels are the classes (e.g. yes/no); candidates are ranked by the
                       probability of --rerank-label (label scoring, no sampling) and the best is picked
  --candidates N       Candidates to rerank (default 8 for sample: seeds S…S+N−1; the n best for beam)
  --rerank-label L     The label to rank by (default: the scorer's first label)
  --rerank-model M     Score with another model (loaded after generation; default: the same model)
  --text TEXT, --input JSON, --model M, --threads N, --gpu G, --lora PATH[:SCALE], --runtime-timeout S   as for probs
  --json               Print {method, model, results: [{text, tokens, tokenTexts, tokenLogprobs, logprob, perplexity, score?,
                       finished?}], steps? (beam: [{step, kept, finished, pruned: [{parent, token, logprob, score, group?,
                       penalty?}]}]: parent −1 at step 1),
                       endTokens?, rerank?: {scorer, label, model, candidates: [{index, text, score, labels,
                       logprob, …}], pick}, ms}
`;

export const decodeCommand: CliCommand = {
    name: 'decode',
    summary: 'Decode a prompt by greedy, beam search or sampling, with sequence log-probabilities',
    usage,
    allowPositionals: true,
    options: {
        ...promptTargetOptions,
        ...stringOptions('method', 'max-tokens', 'beams', 'length-penalty', 'n-best', 'beam-groups', 'diversity', 'rerank', 'candidates', 'rerank-label', 'rerank-model'),
        ...samplingOptions(decodeSamplingFlags),
        ...booleanOptions('no-exact', 'tree'),
        ...modelOptions,
    },
    async run({ values, positionals, json, verbose }) {
        const method = (values.method ?? 'greedy') as DecodeMethod;
        if (!methods.includes(method)) throw new UsageError(`--method must be one of ${methods.join(', ')}, got ${String(values.method)}`);
        const maxTokens = integerFlag(values, 'max-tokens') ?? 32;
        if (maxTokens < 1) throw new UsageError(`--max-tokens must be ≥ 1, got ${maxTokens}`);
        const beams = integerFlag(values, 'beams') ?? 4;
        if (beams < 1 || beams > maxBeams) throw new UsageError(`--beams must be a whole number from 1 to ${maxBeams}, got ${beams}`);
        const lengthPenalty = numberFlag(values, 'length-penalty') ?? 1;
        if (!(lengthPenalty >= 0)) throw new UsageError(`--length-penalty must be a number ≥ 0, got ${lengthPenalty}`);
        const nBest = integerFlag(values, 'n-best') ?? beams;
        if (nBest < 1) throw new UsageError(`--n-best must be ≥ 1, got ${nBest}`);
        const groups = integerFlag(values, 'beam-groups') ?? 1;
        if (groups < 1 || beams % groups !== 0) throw new UsageError(`--beam-groups must be a whole number ≥ 1 that divides --beams (${beams}), got ${groups}`);
        const diversityPenalty = numberFlag(values, 'diversity') ?? 0;
        if (!(diversityPenalty >= 0) || !Number.isFinite(diversityPenalty)) throw new UsageError(`--diversity must be a number ≥ 0, got ${diversityPenalty}`);
        if (method !== 'beam') {
            for (const flag of ['beams', 'length-penalty', 'n-best', 'beam-groups', 'diversity', 'tree']) {
                if (values[flag] !== undefined) throw new UsageError(`--${flag} is for --method beam`);
            }
        }
        const rerank = await rerankFlags(values, method, beams);
        const flags = samplingFlags(values, decodeSamplingFlags);
        const target = promptTarget(positionals, values);
        const source = await preparePromptTarget(target, values);
        const lora = requestLora(source, values);
        const prompt = source.kind === 'chat' ? source.messages : source.text;
        const exact = values['no-exact'] !== true;
        const started = performance.now();

        return withFlagModel(values, verbose, async ({ session, signal, model }) => {
            const decodeTarget: DecodeTarget = { prompt, sampling: sourceSampling(source, flags), maxTokens, exact, ...(lora === undefined ? {} : { lora }), signal };
            let results: DecodedSequence[];
            let beam: BeamSearchResult | undefined;
            if (method === 'beam') {
                const wanted = rerank ? Math.max(nBest, rerank.candidates) : nBest;
                // More candidates than beams widen the search, by whole groups.
                const widened = Math.ceil(Math.max(beams, wanted) / groups) * groups;
                ({ results, beam } = await decodeBeam(session.client, decodeTarget, { beams: widened, lengthPenalty, nBest: wanted, groups, diversityPenalty }));
            } else if (rerank) {
                // Candidates to rerank: seeds S, S+1, … (S the prompt's or --seed's, else 1), each its own sample.
                const first = decodeTarget.sampling.seed ?? 1;
                results = [];
                for (let i = 0; i < rerank.candidates; i++) results.push(await decodeSampled(session.client, decodeTarget, { seed: first + i }));
            } else {
                // The prompt's sampling under the flags already; greedy is temperature 0 over them.
                results = [await decodeSampled(session.client, decodeTarget, method === 'greedy' ? greedySampling : {})];
            }
            const reranked = rerank ? await rerankResults(rerank, results, promptText(source), { session, values, signal }) : undefined;
            const ms = Math.round(performance.now() - started);
            if (json) {
                printJson({ method, model: model.name, results, ...(beam ? { steps: beam.steps, endTokens: beam.endTokens } : {}), ...(reranked ? { rerank: reranked } : {}), ms });
                return 0;
            }
            if (reranked) {
                process.stdout.write(`${formatRerank(reranked)}${method}, ${results.length} candidates reranked, ${ms} ms\n`);
                return 0;
            }
            const lines = results.map((r, i) => `${results.length > 1 ? `#${i + 1} ` : ''}${JSON.stringify(escapeControlCharacters(r.text))}\n`
                + `   log P ${r.logprob.toFixed(4)}, perplexity ${r.perplexity.toFixed(3)}, ${r.tokens.length} tokens`
                + (r.score === undefined ? '' : `, score ${r.score.toFixed(4)}${r.finished ? ', ended' : ''}`));
            if (beam && values.tree === true) lines.push(formatTree(beam));
            process.stdout.write(`${lines.join('\n')}\n${method}, ${ms} ms\n`);
            return 0;
        });
    },
};

function formatTree(result: BeamSearchResult): string {
    const node = (n: BeamSearchResult['steps'][number]['kept'][number]) => `${n.group === undefined ? '' : `g${n.group + 1}:`}${n.parent < 0 ? 'prompt' : n.parent}→${n.token} (${n.logprob.toFixed(3)}${n.penalty === undefined ? '' : `, −${n.penalty.toFixed(2)}`})`;
    return result.steps.map(s => `step ${s.step}: kept ${s.kept.map(node).join(', ')}`
        + (s.finished.length ? `; ended ${s.finished.map(node).join(', ')}` : '')
        + (s.pruned.length ? `; pruned ${s.pruned.length}` : '')).join('\n');
}
