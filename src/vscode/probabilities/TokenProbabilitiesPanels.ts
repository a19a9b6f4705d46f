import { tokenProbabilitiesViewType } from '../../shared/protocols/tokenProbabilities';
import { restoredState } from '../../core/panels/tokenProbabilities/restoredState';
import { InspectionPanels } from '../inspection/InspectionPanels';
import { TokenProbabilitiesPanel, type TokenProbabilitiesPanelOptions } from './TokenProbabilitiesPanel';

/** Every token-probabilities panel, one per prompt file or inspection key (see InspectionPanels). */
export class TokenProbabilitiesPanels extends InspectionPanels<TokenProbabilitiesPanel> {
    constructor(options: TokenProbabilitiesPanelOptions) {
        super({
            viewType: tokenProbabilitiesViewType,
            titlePrefix: 'Probabilities',
            shows: 'token probabilities',
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
