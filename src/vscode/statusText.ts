/**
 * What the model status bar item says, as a pure function of the runtime's state (no `vscode`
 * import, so unit tests run it). The tooltip is Markdown.
 */
import { formatBytes, formatParameterCount, formatTokensPerSecond } from '../core/format';
import { chatTemplateSummary, chatTemplateWarningText } from '../core/model/chatTemplateText';
import type { ModelInfo } from '../shared/runtimeApi';
import type { RuntimeState } from '../runtime/client/RuntimeClient';

export interface StatusInput {
    state: RuntimeState;
    /** The loaded model, if any. */
    model?: ModelInfo;
    /** Display name of a model being loaded right now. */
    loading?: string;
    /** Speed of the last generation, tokens per second. */
    lastTokensPerSecond?: number;
    /** Why the runtime host last died, until it runs again. */
    stoppedReason?: string;
}

export interface StatusPresentation {
    text: string;
    /** Markdown. */
    tooltip: string;
    /** Whether the item should be drawn as a warning. */
    warning: boolean;
}

const maxNameLength = 28;

export function presentStatus(input: StatusInput): StatusPresentation {
    const { model } = input;
    if (input.loading !== undefined || input.state === 'loading') {
        const name = input.loading ?? model?.name ?? 'model';
        return {
            text: `$(loading~spin) Loading ${shorten(name)}…`,
            tooltip: `Promptscope is loading **${escapeMarkdown(name)}**.`,
            warning: false,
        };
    }
    if (input.stoppedReason !== undefined && input.state === 'stopped') {
        return {
            text: `$(warning) ${model !== undefined ? `${shorten(model.name)} · ` : ''}runtime stopped`,
            tooltip: `The Promptscope runtime stopped: ${escapeMarkdown(input.stoppedReason)}\n\n`
                + 'The next command restarts it'
                + (model !== undefined ? ` and reloads **${escapeMarkdown(model.name)}**.` : '.')
                + '\n\nClick to load a model.',
            warning: true,
        };
    }
    if (model === undefined) {
        return {
            text: '$(hubot) No model',
            tooltip: 'No model is loaded. Promptscope loads `promptscope.model` when a command needs it.\n\nClick to load a model.',
            warning: false,
        };
    }
    const icon = input.state === 'busy' || input.state === 'starting' ? '$(loading~spin)' : '$(hubot)';
    const speed = input.lastTokensPerSecond !== undefined ? ` · ${formatTokensPerSecond(input.lastTokensPerSecond)}` : '';
    return {
        text: `${icon} ${shorten(model.name)} · ${model.backend}${speed}`,
        tooltip: modelTooltip(model, input.lastTokensPerSecond),
        warning: false,
    };
}

/** A Markdown table of the model's metadata; also suitable for hovers elsewhere. */
export function modelTooltip(model: ModelInfo, lastTokensPerSecond?: number): string {
    const rows: [string, string][] = [
        ['Architecture', model.architecture],
        ['Parameters', formatParameterCount(model.parameters)],
        ['Quantization', model.quantization],
        ['File', `${model.path} (${formatBytes(model.fileSizeBytes)})`],
        ['Context', `${model.contextSize} tokens (trained on ${model.trainContextLength})`],
        ['Layers', `${model.layers} · ${model.heads} heads · ${model.kvHeads} KV heads`],
        ['Chat template', chatTemplateWarningText(model.chatTemplateUse) ?? chatTemplateSummary(model.chatTemplateUse)],
        ['Backend', model.backend === 'cpu' ? 'CPU' : `${model.backend} · ${model.gpuLayers} GPU layers`],
        ['Threads', String(model.threads)],
    ];
    if (model.lora.length > 0) {
        rows.push(['LoRA', model.lora.map(a => `${basename(a.path)} × ${a.scale ?? 1}`).join(', ')]);
    }
    if (lastTokensPerSecond !== undefined) rows.push(['Last run', formatTokensPerSecond(lastTokensPerSecond)]);
    const table = rows.map(([key, value]) => `| ${key} | ${escapeMarkdown(value)} |`).join('\n');
    return `**${escapeMarkdown(model.name)}**\n\n| | |\n|---|---|\n${table}\n\nClick to load another model.`;
}

function shorten(name: string): string {
    return name.length <= maxNameLength ? name : `${name.slice(0, maxNameLength - 1)}…`;
}

function basename(path: string): string {
    return path.split(/[\\/]/).pop() ?? path;
}

/** Model names and paths come from files: they must not inject Markdown (links, images) into the tooltip. */
export function escapeMarkdown(text: string): string {
    return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&').replace(/\r?\n/g, ' ');
}
