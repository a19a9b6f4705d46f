import { truncatedKl } from '../../core/probabilities/klDivergence';
import { commonPrefixLength, comparablePositions } from '../../core/probabilities/sharedPrefix';
import { diffWords, firstDifference } from '../../core/text/wordDiff';
import type { CompletionResult, TokenText } from '../../shared/runtimeApi';
import type { RuntimeClient } from '../../runtime/client/RuntimeClient';
import type { InferenceBackend } from '../../runtime/backends/InferenceBackend';
import { buildRequest, type PlaygroundRun } from '../../core/panels/playground/buildRequest';
import { applyPreset, describeAdapters, withAdapters } from '../../core/panels/playground/form';
import type { ComparePosition, CompareRequest, CompareSide, CompareState, PlaygroundForm } from '../../shared/protocols/playground';
import { randomSeed } from '../../core/sampling/randomSeed';

/** Alternatives per position for the KL: the runtime's maximum (the rest is one cell; see truncatedKl). */
const klTopK = 100;

/** The run one side asks for: the form with the side's preset and adapter overrides, validated like a Run. */
export function sideRun(form: PlaygroundForm, modelPath: string, side: CompareSide): { run: PlaygroundRun; label: string } | { error: string } {
    const variant = side.user !== undefined && side.user.trim() !== '';
    let sideForm = side.preset === 'form' ? form : applyPreset(form, side.preset);
    if (variant) sideForm = { ...sideForm, user: side.user! };
    if (side.adapters === 'form' && side.scale.trim() !== '') {
        const scale = Number(side.scale);
        sideForm = withAdapters(sideForm, modelPath, rows => rows.map(r => r.enabled ? { ...r, scale } : r));
    }
    const built = buildRequest(sideForm, modelPath);
    if (!built.ok) return { error: built.errors.map(e => `${e.field}: ${e.message}`).join(' ') };
    const run: PlaygroundRun = side.adapters === 'none' ? { ...built.run, lora: [] } : built.run;
    const sampling = side.preset === 'form' ? 'form sampling' : `${side.preset} sampling`;
    return { run, label: `${variant ? 'prompt variant, ' : ''}${sampling}, ${describeAdapters(run.lora)}` };
}

/** What generates a side's output: the runtime client, or a server backend. */
type SideGenerator = Pick<RuntimeClient, 'chat' | 'complete'> | Pick<InferenceBackend, 'chat' | 'complete'>;

/** The server a side may run on, and its name for the side's label. */
export interface CompareServer {
    backend: Pick<InferenceBackend, 'chat' | 'complete'>;
    /** e.g. `fixture on http://127.0.0.1:8080`. */
    name: string;
}

function generate(client: SideGenerator, run: PlaygroundRun, seed: number, signal: AbortSignal): Promise<CompletionResult> {
    const sampling = { ...run.sampling, seed };
    const lora = run.lora !== undefined ? { lora: run.lora } : {};
    return run.mode === 'raw'
        ? client.complete({ prompt: run.prompt, sampling, ...lora }, { signal })
        : client.chat({ messages: run.messages, sampling, ...lora }, { signal });
}

/**
 * Runs the form under both sides with one seed (the form's locked seed, else one drawn for both), then evaluates
 * A's token sequence (prompt + A's generated tokens) under each side's adapters with tokenProbabilities and takes,
 * per generated position, the KL between the two raw next-token distributions (top-100 lists, truncatedKl: a lower
 * bound, exact when the lists hold the whole distribution). Sampling presets shape what is generated, not the raw
 * distributions, so two presets on the same adapters give KL 0 everywhere.
 *
 * Prompt variants (a side with its own user text): each side's distributions are taken on its own sequence (its
 * prompt + its generated tokens), and KL only at the generated positions of A whose whole token prefix B shares
 * (comparablePositions) — a distribution is the answer to its prefix, so KL across different prefixes compares
 * answers to different questions. Variants whose prompts tokenize differently share no generated prefix: no KL, the
 * outputs side by side with their diff, and `klNote` says where the prompts' tokens part.
 */
export async function runCompare(client: RuntimeClient, modelPath: string, request: CompareRequest, signal: AbortSignal, server?: CompareServer): Promise<Omit<CompareState, 'id'>> {
    const a = sideRun(request.form, modelPath, request.a);
    const b = sideRun(request.form, modelPath, request.b);
    if ('error' in a) return { phase: 'failed', error: `Side A: ${a.error}` };
    if ('error' in b) return { phase: 'failed', error: `Side B: ${b.error}` };
    const seed = a.run.sampling.seed ?? b.run.sampling.seed ?? randomSeed();
    const onServer = (side: CompareRequest['a']) => side.backend === 'server';
    if ((onServer(request.a) || onServer(request.b)) && server === undefined) return { phase: 'failed', error: 'a side runs on the server, but no server is configured (promptscope.backend, promptscope.server.urls)' };
    const generatorOf = (side: CompareRequest['a']): SideGenerator => onServer(side) ? server!.backend : client;
    const resultA = await generate(generatorOf(request.a), a.run, seed, signal);
    const resultB = await generate(generatorOf(request.b), b.run, seed, signal);
    if (onServer(request.a) || onServer(request.b)) {
        // Local vs server (or server vs server): the outputs and their diff. The KL needs both sides' full next-token
        // distributions on one token sequence, which only the embedded runtime gives: said, not approximated.
        const where = (side: CompareRequest['a']) => onServer(side) ? `on ${server!.name}` : 'on the embedded runtime';
        const divergence = firstDifference(resultA.tokens, resultB.tokens);
        return {
            phase: 'done', seed,
            a: { label: `${a.label}, ${where(request.a)}`, output: resultA.text, tokens: resultA.tokens.length, stopReason: resultA.stopReason },
            b: { label: `${b.label}, ${where(request.b)}`, output: resultB.text, tokens: resultB.tokens.length, stopReason: resultB.stopReason },
            diff: diffWords(resultA.text, resultB.text), positions: [],
            ...(divergence !== undefined ? { firstDivergence: divergence } : {}),
            klNote: 'A side ran on a server: no KL, which needs both sides\' full next-token distributions from the embedded runtime; compare the outputs and the diff.',
        };
    }

    const promptOf = (run: PlaygroundRun) => run.mode === 'raw' ? run.prompt : run.messages;
    const promptTokens = async (run: PlaygroundRun) =>
        (await client.tokenProbabilities({ prompt: promptOf(run), topK: 1, exact: false, ...(run.lora ? { lora: run.lora } : {}) }, { signal })).tokens.map(t => t.id);
    const promptA = await promptTokens(a.run);
    const sequence = [...promptA, ...resultA.tokens];
    const positions: CompareState['positions'] = [];
    const variants = JSON.stringify(promptOf(a.run)) !== JSON.stringify(promptOf(b.run));
    let klNote: string | undefined;
    if (variants) {
        const sequenceB = [...await promptTokens(b.run), ...resultB.tokens];
        const comparable = comparablePositions(promptA.length, sequence, sequenceB);
        if (comparable.length > 0) {
            const distA = await client.tokenProbabilities({ prompt: sequence, topK: klTopK, exact: false, ...(a.run.lora ? { lora: a.run.lora } : {}) }, { signal });
            const distB = await client.tokenProbabilities({ prompt: sequenceB, topK: klTopK, exact: false, ...(b.run.lora ? { lora: b.run.lora } : {}) }, { signal });
            for (const i of comparable) {
                const kl = truncatedKl(distA.tokens[i]!.top, distB.tokens[i]!.top);
                positions.push({ ...comparePiece(distA.tokens[i]!), pieceB: distB.tokens[i]!.text, kl: kl.kl, unknownMass: Math.max(...kl.unknownMass) });
            }
        }
        if (comparable.length < resultA.tokens.length) {
            const part = commonPrefixLength(sequence, sequenceB);
            klNote = part < promptA.length
                ? `Prompt variants: their tokens part at prompt token ${part}, so no generated position has the same prefix under both — no KL; compare the outputs and the diff.`
                : `Prompt variants: KL only for the first ${comparable.length} generated positions, whose token prefix both sides share.`;
        }
    } else if (resultA.tokens.length > 0) {
        const under = (lora: PlaygroundRun['lora']) =>
            client.tokenProbabilities({ prompt: sequence, topK: klTopK, exact: false, ...(lora ? { lora } : {}) }, { signal });
        const distA = await under(a.run.lora);
        const distB = await under(b.run.lora);
        // What B generated at each position, beside A's token (the same prompt: B's tokens start where A's do).
        const piecesB = resultB.tokens.length > 0 ? await client.tokenPieces(resultB.tokens) : [];
        for (let i = promptA.length; i < sequence.length; i++) {
            const rowA = distA.tokens[i]!;
            const kl = truncatedKl(rowA.top, distB.tokens[i]!.top);
            const pieceB = piecesB[i - promptA.length];
            positions.push({ ...comparePiece(rowA), ...(pieceB !== undefined ? { pieceB } : {}), kl: kl.kl, unknownMass: Math.max(...kl.unknownMass) });
        }
    }
    const divergence = firstDifference(resultA.tokens, resultB.tokens);
    return {
        phase: 'done',
        seed,
        a: { label: a.label, output: resultA.text, tokens: resultA.tokens.length, stopReason: resultA.stopReason },
        b: { label: b.label, output: resultB.text, tokens: resultB.tokens.length, stopReason: resultB.stopReason },
        diff: diffWords(resultA.text, resultB.text),
        positions,
        ...(divergence !== undefined ? { firstDivergence: divergence } : {}),
        ...(variants ? { variants } : {}),
        ...(klNote !== undefined ? { klNote } : {}),
    };
}

/** A's token at a compared position: its text in A's output, its vocabulary piece and its split-character marks. */
function comparePiece(token: TokenText): Pick<ComparePosition, 'piece' | 'raw' | 'pieces'> {
    return { piece: token.text, raw: token.raw, ...(token.pieces !== undefined ? { pieces: token.pieces } : {}) };
}
