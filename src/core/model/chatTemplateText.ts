import type { ChatTemplateUse } from '../../shared/runtimeApi';

/** One line on how a model's chat prompts are rendered, for `info`, `render` and the editor's model tooltip. */
export function chatTemplateSummary(use: ChatTemplateUse): string {
    switch (use.source) {
        case 'model-template': return `the model's own template (${use.wrapper})`;
        case 'family-wrapper': return `${use.wrapper}, node-llama-cpp's wrapper for the model's template (checked to render the same)`;
        case 'fallback': return use.warning?.code === 'template-unusable'
            ? `${use.wrapper} instead of the model's template, which node-llama-cpp cannot use`
            : `${use.wrapper}, guessed (the model has no chat template)`;
    }
}

/**
 * The warning a fallback deserves, naming the template by its key and first line and saying why, or undefined when
 * the model's own template (or its exact equivalent) renders the prompts.
 */
export function chatTemplateWarningText(use: ChatTemplateUse): string | undefined {
    const warning = use.warning;
    if (warning === undefined) return undefined;
    if (warning.code === 'no-template') return `the model has no ${warning.template}: chat prompts use ${use.wrapper}'s format, a guess`;
    return `the model's ${warning.template} (${JSON.stringify(warning.firstLine ?? '')}) cannot be used: ${warning.reason}. `
        + `Chat prompts use ${use.wrapper}'s format instead, which may not be what the model was trained on`;
}
