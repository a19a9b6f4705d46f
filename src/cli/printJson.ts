import type { ModelInfo } from '../shared/runtimeApi';

/** `--json` output: the value, indented by two spaces, on stdout with a final newline. */
export function printJson(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** The fields that name the model in a run's `--json` output. */
export function modelJson(model: ModelInfo): { model: string; modelPath: string; backend: ModelInfo['backend'] } {
    return { model: model.name, modelPath: model.path, backend: model.backend };
}
