// Defined in src/core because sampling values are validated there (pure code, shared with editors' diagnostics).
export { SamplingOptionsError } from '../../core/errors/SamplingOptionsError';
