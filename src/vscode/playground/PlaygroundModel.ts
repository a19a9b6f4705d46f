import { describeModelRef, hfUriProblem, isHfUri } from '../../core/model/modelRef';
import type { HostState, TokenizeResponse } from '../../shared/protocols/playground';
import { errorText, type PlaygroundContext } from './PlaygroundContext';

/** The model section's host side: what it shows of the loaded model, switching models, and tokenizing for the logit bias editor. */
export class PlaygroundModel {
    constructor(private readonly context: PlaygroundContext) {
        const { models } = context.options;
        context.own(models.onDidChangeModel(() => context.sendState()));
        context.own(models.onDidChangeLoading(() => context.sendState()));
    }

    /** The model part of the host state: the loaded model with its details, the recent models, the one loading. */
    get state(): Pick<HostState, 'model' | 'recentModels' | 'loading' | 'modelPath'> {
        const { models, recent } = this.context.options;
        const model = models.model;
        const loading = models.loadingModel;
        return {
            ...(model !== undefined ? { model: { name: model.name, backend: model.backend, quantization: model.quantization, details: {
                path: model.path, architecture: model.architecture, fileSizeBytes: model.fileSizeBytes, parameters: model.parameters,
                trainContextLength: model.trainContextLength, contextSize: model.contextSize, chatTemplate: model.chatTemplate !== undefined && model.chatTemplate !== '',
            } } } : {}),
            ...(recent !== undefined ? { recentModels: recent.list.map(m => ({ ref: m.ref, ...describeModelRef(m.ref) })) } : {}),
            ...(loading !== undefined ? { loading } : {}),
            ...(model !== undefined ? { modelPath: model.path } : {}),
        };
    }

    /**
     * Loads a recent model or an `hf:` URI (validated first) through ModelService.load: the same progress notification,
     * cancel and download as Load Model…. Answers why it did not load.
     */
    async switchModel(ref: string): Promise<{ ok: true } | { error: string }> {
        const trimmed = ref.trim();
        if (trimmed.startsWith('hf') || trimmed.startsWith('huggingface')) {
            const problem = hfUriProblem(trimmed);
            if (problem !== undefined) return { error: problem };
        } else if (trimmed === '') {
            return { error: 'Choose a model.' };
        }
        const info = await this.context.options.models.load({ ref: trimmed, origin: 'user' });
        this.context.sendState();
        return info !== undefined ? { ok: true }
            : { error: `${isHfUri(trimmed) ? 'Getting' : 'Loading'} ${describeModelRef(trimmed).label} did not finish (cancelled or failed: see the notification).` };
    }

    /** The tokens of `word` (without BOS: the bias is for the word's own tokens wherever they occur). */
    async tokenize(word: string): Promise<TokenizeResponse> {
        if (word === '') return { error: 'Type a word first.' };
        const { models } = this.context.options;
        const model = await models.ensureModel();
        if (model === undefined) return { error: 'Load a model to tokenize.' };
        try {
            const ids = await models.client.tokenize(word, { addBos: false });
            const texts = await models.client.tokenTexts(ids);
            return { tokens: ids.map((id, i) => ({ id, piece: texts[i]?.text ?? '', ...(texts[i] ? { raw: texts[i].raw } : {}) })) };
        } catch (error) {
            return { error: errorText(error) };
        }
    }
}
