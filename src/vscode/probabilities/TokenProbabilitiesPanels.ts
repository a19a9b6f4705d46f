import { restoredState } from '../../core/panels/tokenProbabilities/restoredState';
import { InspectionPanels } from '../inspection/InspectionPanels';
import { TokenProbabilitiesPanel, tokenProbabilitiesPanelKind, type TokenProbabilitiesPanelOptions } from './TokenProbabilitiesPanel';

/** Every token-probabilities panel, one per prompt file or inspection key (see InspectionPanels). */
export class TokenProbabilitiesPanels extends InspectionPanels<TokenProbabilitiesPanel> {
    constructor(options: TokenProbabilitiesPanelOptions) {
        super({
            kind: tokenProbabilitiesPanelKind,
            extensionUri: options.extensionUri,
            create: (webviewPanel, title, promptUri) => new TokenProbabilitiesPanel(webviewPanel, options, {
                title, ...(promptUri !== undefined ? { promptUri } : {}), phase: 'computing', branches: [],
            }),
            restore: (webviewPanel, saved) => {
                const state = restoredState(saved);
                return { panel: new TokenProbabilitiesPanel(webviewPanel, options, state), promptUri: state.promptUri };
            },
        });
    }
}
