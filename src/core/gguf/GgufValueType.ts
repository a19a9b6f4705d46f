/** The type tag of a GGUF metadata value, as stored in the file (ggml's `enum gguf_type`). */
export enum GgufValueType {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/** Byte size of each fixed-size value type; strings and arrays are variable. */
export const fixedValueSize: Partial<Record<GgufValueType, number>> = {
    [GgufValueType.Uint8]: 1,
    [GgufValueType.Int8]: 1,
    [GgufValueType.Uint16]: 2,
    [GgufValueType.Int16]: 2,
    [GgufValueType.Uint32]: 4,
    [GgufValueType.Int32]: 4,
    [GgufValueType.Float32]: 4,
    [GgufValueType.Bool]: 1,
    [GgufValueType.Uint64]: 8,
    [GgufValueType.Int64]: 8,
    [GgufValueType.Float64]: 8,
};
