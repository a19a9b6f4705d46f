/**
 * The `promptscope.*` settings as typed values, and their mapping onto the runtime's options. Free
 * of `vscode` so unit tests can run it; Config.ts feeds it from `workspace.getConfiguration`.
 */
import { isLoraScale, loraScaleAllowed } from '../core/model/loraScale';
import { resolveModelRef, type ModelPathBase } from '../core/model/modelRef';
import type { GpuSetting, LoadModelOptions, LoraAdapterSpec, SamplingOptions } from '../shared/runtimeApi';

/** Settings that only take effect when the model is (re)loaded. Keys are relative to `promptscope.`. */
export const reloadSettingKeys = ['model', 'gpu', 'gpuLayers', 'threads', 'contextSize', 'modelsDirectory', 'lora'] as const;

/** Settings read at the moment they are used, so a change applies to the next run. */
export const liveSettingKeys = [
    'sampling.temperature', 'sampling.topK', 'sampling.topP', 'sampling.minP', 'sampling.repeatPenalty', 'sampling.maxTokens',
    // Where runs go: the server connection is closed and the next run connects again (see backend/Backends).
    'backend', 'server.urls', 'server.model', 'server.headers', 'server.timeoutSeconds', 'server.concurrency', 'server.probabilitiesAfterSampler',
] as const;

export type ReloadSettingKey = typeof reloadSettingKeys[number];
export type LiveSettingKey = typeof liveSettingKeys[number];

export interface SettingsChange {
    /** Changed settings that need a model reload. */
    reload: ReloadSettingKey[];
    /** Changed settings that apply to the next run by themselves. */
    live: LiveSettingKey[];
}

/** Which of our settings a configuration change touched, given VS Code's `affectsConfiguration`. */
export function classifyChange(affects: (section: string) => boolean): SettingsChange {
    return {
        reload: reloadSettingKeys.filter(key => affects(`promptscope.${key}`)),
        live: liveSettingKeys.filter(key => affects(`promptscope.${key}`)),
    };
}

/** How the model is loaded, apart from which model. */
export interface ModelSettings {
    gpu: GpuSetting;
    gpuLayers: number | 'auto' | 'max';
    /** 0: the runtime's default (physical cores − 1, at least 1). */
    threads: number;
    /** 0: the model's training context, capped by the runtime. */
    contextSize: number;
    /** Empty: the runtime's default folder. */
    modelsDirectory: string;
}

export const defaultModelSettings: ModelSettings = { gpu: 'auto', gpuLayers: 'auto', threads: 0, contextSize: 0, modelsDirectory: '' };

/** Reads a setting by key relative to `promptscope.`. */
export type SettingReader = (key: string) => unknown;

/**
 * The model settings with every invalid value replaced by its default; `problems` says which and
 * why, so the caller can log it. A hand-edited settings.json must never stop a model from loading.
 */
export function readModelSettings(get: SettingReader): { settings: ModelSettings; problems: string[] } {
    const problems: string[] = [];
    const settings = { ...defaultModelSettings };

    const gpu = get('gpu');
    if (gpu !== undefined) {
        if (gpu === 'auto' || gpu === 'cuda' || gpu === 'metal' || gpu === 'vulkan' || gpu === 'off') settings.gpu = gpu;
        else problems.push(`promptscope.gpu: ${JSON.stringify(gpu)} is not one of auto, cuda, metal, vulkan, off; using auto`);
    }

    const gpuLayers = get('gpuLayers');
    if (gpuLayers !== undefined) {
        const parsed = parseGpuLayers(gpuLayers);
        if (parsed !== undefined) settings.gpuLayers = parsed;
        else problems.push(`promptscope.gpuLayers: ${JSON.stringify(gpuLayers)} is not a layer count, "auto" or "max"; using auto`);
    }

    for (const key of ['threads', 'contextSize'] as const) {
        const value = get(key);
        if (value === undefined) continue;
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0) settings[key] = value;
        else problems.push(`promptscope.${key}: ${JSON.stringify(value)} is not a whole number ≥ 0; using 0 (automatic)`);
    }

    const modelsDirectory = get('modelsDirectory');
    if (typeof modelsDirectory === 'string') settings.modelsDirectory = modelsDirectory.trim();
    else if (modelsDirectory !== undefined && modelsDirectory !== null) {
        problems.push(`promptscope.modelsDirectory: ${JSON.stringify(modelsDirectory)} is not a path; using the default folder`);
    }

    return { settings, problems };
}

function parseGpuLayers(value: unknown): ModelSettings['gpuLayers'] | undefined {
    if (value === 'auto' || value === 'max') return value;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
    return undefined;
}

/** `promptscope.lora` entries (`{path, scale}` objects, or plain paths) with invalid ones reported and dropped. */
export function readLoraSetting(value: unknown): { adapters: LoraAdapterSpec[]; problems: string[] } {
    const adapters: LoraAdapterSpec[] = [];
    const problems: string[] = [];
    if (value === undefined || value === null) return { adapters, problems };
    if (!Array.isArray(value)) return { adapters, problems: ['promptscope.lora: expected a list of {"path", "scale"} entries; ignoring it'] };
    value.forEach((entry, index) => {
        if (typeof entry === 'string' && entry.trim() !== '') {
            adapters.push({ path: entry.trim() });
            return;
        }
        const { path, scale } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
        if (typeof path !== 'string' || path.trim() === '') {
            problems.push(`promptscope.lora[${index}]: missing "path"; ignoring the entry`);
            return;
        }
        if (scale !== undefined && !isLoraScale(scale)) {
            problems.push(`promptscope.lora[${index}]: "scale" must be ${loraScaleAllowed}; ignoring the entry`);
            return;
        }
        adapters.push({ path: path.trim(), ...(scale !== undefined ? { scale } : {}) });
    });
    return { adapters, problems };
}

/**
 * What to ask the runtime for. Automatic values (0, empty) are left out so the runtime's own
 * defaults apply, and paths are made absolute here because the host process has no workspace.
 */
export function toLoadModelOptions(model: string, settings: ModelSettings, lora: readonly LoraAdapterSpec[], base: ModelPathBase): LoadModelOptions {
    const options: LoadModelOptions = {
        model: resolveModelRef(model, base),
        gpu: settings.gpu,
        gpuLayers: settings.gpu === 'off' ? 0 : settings.gpuLayers,
    };
    if (settings.threads > 0) options.threads = settings.threads;
    if (settings.contextSize > 0) options.contextSize = settings.contextSize;
    if (settings.modelsDirectory !== '') options.modelsDirectory = resolveModelRef(settings.modelsDirectory, base, 'promptscope.modelsDirectory');
    if (lora.length > 0) options.lora = lora.map(a => ({ ...a, path: resolveModelRef(a.path, base, 'promptscope.lora') }));
    return options;
}

/** The sampling defaults from settings; values left unset fall through to the runtime's defaults. */
export function readSamplingDefaults(get: SettingReader): SamplingOptions {
    const sampling: SamplingOptions = {};
    const number = (key: LiveSettingKey) => {
        const value = get(key);
        return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    };
    const assign = <K extends keyof SamplingOptions>(field: K, value: SamplingOptions[K] | undefined) => {
        if (value !== undefined) sampling[field] = value;
    };
    assign('temperature', number('sampling.temperature'));
    assign('topK', number('sampling.topK'));
    assign('topP', number('sampling.topP'));
    assign('minP', number('sampling.minP'));
    assign('repeatPenalty', number('sampling.repeatPenalty'));
    assign('maxTokens', number('sampling.maxTokens'));
    return sampling;
}
