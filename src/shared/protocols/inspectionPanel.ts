/**
 * What every inspection panel (token probabilities, attention) holds about the prompt it shows, whatever it computed
 * from it; the host side's common part is src/vscode/inspection/InspectionPanel.ts.
 */
export interface InspectionPanelState<Phase extends string> {
    /** The prompt file's name. */
    title: string;
    /** The prompt's URI, so a restored panel can recompute. */
    promptUri?: string;
    /**
     * Computed from a run given as a request (the playground's last run) rather than a prompt file: Recompute computes
     * that run again while the panel lives (a reload forgets the request).
     */
    inspected?: boolean;
    phase: Phase;
    message?: string;
}
