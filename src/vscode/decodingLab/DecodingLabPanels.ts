import { defaultColumns } from '../../core/panels/decodingLab/columns';
import { restoredState } from '../../core/panels/decodingLab/restoredState';
import { InspectionPanels } from '../inspection/InspectionPanels';
import type { InspectionPanelOptions } from '../inspection/InspectionPanel';
import { DecodingLabPanel, decodingLabPanelKind } from './DecodingLabPanel';

/** Every Decoding Lab, one per prompt file or inspection key (see InspectionPanels). */
export class DecodingLabPanels extends InspectionPanels<DecodingLabPanel> {
    constructor(options: InspectionPanelOptions) {
        super({
            kind: decodingLabPanelKind,
            extensionUri: options.extensionUri,
            create: (webviewPanel, title, promptUri) => new DecodingLabPanel(webviewPanel, options, {
                title, ...(promptUri !== undefined ? { promptUri } : {}), phase: 'computing', maxTokens: 32,
                columns: defaultColumns().map((settings, i) => ({ id: i + 1, settings, phase: 'pending' })),
            }),
            restore: (webviewPanel, saved) => {
                const state = restoredState(saved);
                return { panel: new DecodingLabPanel(webviewPanel, options, state), promptUri: state.promptUri };
            },
        });
    }
}
