import type { ChatWrapper, LlamaModel } from 'node-llama-cpp';
import type { ChatTemplateUse } from '../../../shared/runtimeApi';
import type { LlamaModuleType } from './llamaModule';

/** The GGUF key of the default chat template, the one node-llama-cpp renders. */
const templateKey = 'tokenizer.chat_template';

/** The chat wrapper chosen for a model, and how it relates to the model's own template. */
export interface ChosenChatWrapper {
    wrapper: ChatWrapper;
    use: ChatTemplateUse;
}

/**
 * The chat wrapper node-llama-cpp would choose for `model`, and where it comes from. node-llama-cpp's own choice
 * (`resolveChatWrapper(model)`) falls back to a guessed format when it cannot interpret the model's Jinja template, and
 * only says so on its process's stderr: here the strict choice runs first, so the failure is caught and named, then
 * the same fallback is taken without the template (`noJinja`, the path node-llama-cpp continues on after the error).
 */
export function chooseChatWrapper(model: LlamaModel, llamaModule: Pick<LlamaModuleType, 'resolveChatWrapper' | 'JinjaTemplateChatWrapper'>): ChosenChatWrapper {
    const { resolveChatWrapper, JinjaTemplateChatWrapper } = llamaModule;
    const template = model.fileInfo.metadata?.tokenizer?.chat_template;
    const hasTemplate = typeof template === 'string' && template.trim() !== '';
    let strictError: unknown;
    try {
        const wrapper = resolveChatWrapper(model, { fallbackToOtherWrappersOnJinjaError: false });
        const name = wrapper.constructor.name;
        if (wrapper instanceof JinjaTemplateChatWrapper) return { wrapper, use: { wrapper: name, source: 'model-template' } };
        // With a template present, node-llama-cpp returns another wrapper only when it rendered the same as the template.
        if (hasTemplate) return { wrapper, use: { wrapper: name, source: 'family-wrapper' } };
        return {
            wrapper,
            use: {
                wrapper: name, source: 'fallback',
                warning: { code: 'no-template', template: templateKey, reason: `the model file has no ${templateKey}, so ${name}'s format is a guess from the model's name, architecture or BOS token` },
            },
        };
    } catch (error) {
        strictError = error;
    }
    const wrapper = resolveChatWrapper(model, { noJinja: true });
    const name = wrapper.constructor.name;
    return {
        wrapper,
        use: {
            wrapper: name, source: 'fallback',
            warning: { code: 'template-unusable', template: templateKey, firstLine: firstLine(String(template)), reason: errorReason(strictError) },
        },
    };
}

/** The template's first non-blank line, cut to 80 characters, to recognise it by. */
function firstLine(template: string): string {
    const line = template.split('\n').find(l => l.trim() !== '')?.trim() ?? '';
    return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** node-llama-cpp's message, whitespace runs (its renderers' multi-line reports) made single spaces. */
function errorReason(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/\s+/g, ' ').trim();
}
