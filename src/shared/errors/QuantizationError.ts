/** A quantization llama.cpp refused or could not finish; `reason` is llama.cpp's own, for the user to read. */
export class QuantizationError extends Error {
    readonly input: string;
    readonly type: string;
    readonly reason: string;

    constructor(input: string, type: string, reason: string, fix: string) {
        super(`Cannot quantize ${input} to ${type}: ${reason}. ${fix}`);
        this.name = 'QuantizationError';
        this.input = input;
        this.type = type;
        this.reason = reason;
    }
}
