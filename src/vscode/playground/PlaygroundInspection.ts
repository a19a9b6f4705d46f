import { maxAttentionTokens } from '../../shared/limits';
import type { AttentionPanel } from '../attention/AttentionPanel';
import type { InspectionRequest } from '../inspection/InspectionRequest';
import { limitOutput } from '../inspection/limitOutput';
import { maxPanelGeneration } from '../probabilities/probabilityRequest';
import type { TokenProbabilitiesPanel } from '../probabilities/TokenProbabilitiesPanel';
import type { DecodingLabPanel } from '../decodingLab/DecodingLabPanel';
import type { PlaygroundContext } from './PlaygroundContext';
import type { PlaygroundRunner } from './PlaygroundRunner';

/** The hand-off of the last run to the token probabilities and attention panels and the Decoding Lab. */
export class PlaygroundInspection {
    constructor(private readonly context: PlaygroundContext, private readonly runner: PlaygroundRunner) {}

    /**
     * Show probabilities: the token probabilities panel for the last run (its prompt, sampling, seed and adapters,
     * its output tokens scored as generated). Undefined when there is nothing to show (the reason is in the notice).
     */
    async showProbabilities(): Promise<TokenProbabilitiesPanel | undefined> {
        const panels = this.context.options.probabilities;
        const request = await this.inspectable(panels);
        return request === undefined ? undefined : panels!.showRequest(limitOutput(request, maxPanelGeneration));
    }

    /** Show attention: the attention panel for the last run (its rendered prompt and output tokens, under its adapters). */
    async showAttention(): Promise<AttentionPanel | undefined> {
        const panels = this.context.options.attention;
        const request = await this.inspectable(panels);
        // The prompt alone may pass the limit: then the panel says so (the runtime refuses it with its length).
        return request === undefined ? undefined
            : panels!.showRequest(limitOutput(request, maxAttentionTokens - this.runner.lastRun!.promptTokens));
    }

    /**
     * Decoding Lab: the last run's prompt (under its sampling and adapters) decoded by greedy, beam search and samples
     * side by side; its output tokens play no part.
     */
    async showDecodingLab(): Promise<DecodingLabPanel | undefined> {
        const panels = this.context.options.decodingLab;
        const request = await this.inspectable(panels);
        return request === undefined ? undefined : panels!.showRequest(request);
    }

    /** The last run's request, once the model it ran on is the loaded one; else undefined with the reason in the notice. */
    private async inspectable(panels: object | undefined): Promise<InspectionRequest | undefined> {
        const last = this.runner.lastRun;
        if (last === undefined) return this.context.setNotice('Run the prompt first: the panels show the last run.');
        if (panels === undefined) return this.context.setNotice('The inspection panels are not available here.');
        const model = await this.context.options.models.ensureModel();
        if (model?.path !== last.modelPath) {
            return this.context.setNotice(`The last run was on ${last.modelPath}; load that model again (or run on this one) to inspect it.`);
        }
        return last.request;
    }
}
