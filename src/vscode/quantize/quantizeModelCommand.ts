import type { CommandFactory } from '../commands';
import { ModelQuantizer, type QuantizeOptions } from './ModelQuantizer';

/**
 * `promptscope.quantizeModel`: from the palette (every choice by dialog), or with an input (a path, or a model choice
 * whose origin goes through Workspace Trust) and {@link QuantizeOptions} from other features and tests, which skips the
 * dialogs for what they give. Resolves with how it ended, `undefined` when nothing ran.
 */
export const quantizeModelCommand: CommandFactory = ctx => {
    const quantizer = new ModelQuantizer({ models: ctx.models, config: ctx.config, trust: ctx.trust, log: ctx.log });
    return (input?: unknown, options?: unknown) => quantizer.quantize(input, isOptions(options) ? options : {});
};

function isOptions(value: unknown): value is QuantizeOptions {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
