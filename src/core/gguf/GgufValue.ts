import { GgufValueType } from './GgufValueType';

type NumberValueType =
    | GgufValueType.Uint8 | GgufValueType.Int8 | GgufValueType.Uint16 | GgufValueType.Int16
    | GgufValueType.Uint32 | GgufValueType.Int32 | GgufValueType.Float32 | GgufValueType.Float64;

/** One element of a GGUF array: a plain value, or (allowed by the spec, rejected by llama.cpp) a nested array. */
export type GgufArrayItem = number | bigint | boolean | string | GgufArray;

export interface GgufArray {
    type: GgufValueType.Array;
    itemType: GgufValueType;
    items: GgufArrayItem[];
}

/**
 * A metadata value with its exact GGUF type, so that writing and reading round-trip bit for bit
 * (a JS number alone cannot say whether it was stored as uint32 or float32).
 * 64-bit integers are bigints.
 */
export type GgufValue =
    | { type: NumberValueType; value: number }
    | { type: GgufValueType.Uint64 | GgufValueType.Int64; value: bigint }
    | { type: GgufValueType.Bool; value: boolean }
    | { type: GgufValueType.String; value: string }
    | GgufArray;

/** Metadata in file order. */
export type GgufMetadata = Map<string, GgufValue>;

/** Constructors for typed metadata values: `gguf.u32(2048)`, `gguf.array(GgufValueType.String, tokens)`. */
export const gguf = {
    u8: (value: number): GgufValue => ({ type: GgufValueType.Uint8, value }),
    i8: (value: number): GgufValue => ({ type: GgufValueType.Int8, value }),
    u16: (value: number): GgufValue => ({ type: GgufValueType.Uint16, value }),
    i16: (value: number): GgufValue => ({ type: GgufValueType.Int16, value }),
    u32: (value: number): GgufValue => ({ type: GgufValueType.Uint32, value }),
    i32: (value: number): GgufValue => ({ type: GgufValueType.Int32, value }),
    f32: (value: number): GgufValue => ({ type: GgufValueType.Float32, value }),
    f64: (value: number): GgufValue => ({ type: GgufValueType.Float64, value }),
    u64: (value: bigint | number): GgufValue => ({ type: GgufValueType.Uint64, value: BigInt(value) }),
    i64: (value: bigint | number): GgufValue => ({ type: GgufValueType.Int64, value: BigInt(value) }),
    bool: (value: boolean): GgufValue => ({ type: GgufValueType.Bool, value }),
    str: (value: string): GgufValue => ({ type: GgufValueType.String, value }),
    array: (itemType: GgufValueType, items: GgufArrayItem[]): GgufArray => ({ type: GgufValueType.Array, itemType, items }),
};

/** The plain JS value of a metadata entry (arrays become JS arrays, recursively). */
export function plainValue(value: GgufValue): unknown {
    if (value.type === GgufValueType.Array) {
        return value.items.map(item => (typeof item === 'object' ? plainValue(item) : item));
    }
    return value.value;
}
