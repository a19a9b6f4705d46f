import { restoredState } from '../../core/panels/attention/restoredState';
import { InspectionPanels } from '../inspection/InspectionPanels';
import { AttentionPanel, attentionPanelKind, type AttentionPanelOptions } from './AttentionPanel';

/** Every attention panel, one per prompt file or inspection key (see InspectionPanels). */
export class AttentionPanels extends InspectionPanels<AttentionPanel> {
    constructor(options: AttentionPanelOptions) {
        super({
            kind: attentionPanelKind,
            extensionUri: options.extensionUri,
            create: (webviewPanel, title, promptUri) => new AttentionPanel(webviewPanel, options, {
                title, ...(promptUri !== undefined ? { promptUri } : {}), phase: 'computing',
            }),
            restore: (webviewPanel, saved) => {
                const state = restoredState(saved);
                return { panel: new AttentionPanel(webviewPanel, options, state), promptUri: state.promptUri };
            },
        });
    }
}
