/**
 * Command ids, in one place so the status bar, error buttons and other features (and the e2e tests)
 * name them without repeating strings. No `vscode` import.
 */
export const CommandId = {
    loadModel: 'promptscope.loadModel',
    unloadModel: 'promptscope.unloadModel',
    showLogs: 'promptscope.showLogs',
    runPrompt: 'promptscope.runPrompt',
    renderPrompt: 'promptscope.renderPrompt',
    showTokenProbabilities: 'promptscope.showTokenProbabilities',
    showAttention: 'promptscope.showAttention',
    openPlayground: 'promptscope.openPlayground',
    buildRuntime: 'promptscope.buildRuntime',
    evaluatePrompt: 'promptscope.evaluatePrompt',
    quantizeModel: 'promptscope.quantizeModel',
    compareWithModel: 'promptscope.compareWithModel',
    detectWatermark: 'promptscope.detectWatermark',
    openDecodingLab: 'promptscope.openDecodingLab',
    indexFolder: 'promptscope.indexFolder',
    searchIndex: 'promptscope.searchIndex',
    setServerApiKey: 'promptscope.setServerApiKey',
    clearServerApiKey: 'promptscope.clearServerApiKey',
    showReasoningTrace: 'promptscope.showReasoningTrace',
} as const;
export type CommandId = typeof CommandId[keyof typeof CommandId];

/** Id of the model status bar item (stable: the e2e tests find it by this). */
export const statusBarItemId = 'promptscope.status';

/** Id of the status bar item naming the server backend (shown only when runs go to a server). */
export const backendStatusItemId = 'promptscope.backend';

/** Id of the status bar item with the active `.prompt` file's token count. */
export const promptTokensItemId = 'promptscope.promptTokens';
