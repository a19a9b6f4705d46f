/** A growable little-endian byte buffer for GGUF headers. */
export class ByteBuilder {
    private bytes = new Uint8Array(4096);
    private view = new DataView(this.bytes.buffer);
    private length = 0;
    private readonly encoder = new TextEncoder();

    get size(): number {
        return this.length;
    }

    u8(value: number): void { this.reserve(1).setUint8(this.length - 1, value); }
    i8(value: number): void { this.reserve(1).setInt8(this.length - 1, value); }
    u16(value: number): void { this.reserve(2).setUint16(this.length - 2, value, true); }
    i16(value: number): void { this.reserve(2).setInt16(this.length - 2, value, true); }
    u32(value: number): void { this.reserve(4).setUint32(this.length - 4, value, true); }
    i32(value: number): void { this.reserve(4).setInt32(this.length - 4, value, true); }
    f32(value: number): void { this.reserve(4).setFloat32(this.length - 4, value, true); }
    f64(value: number): void { this.reserve(8).setFloat64(this.length - 8, value, true); }
    u64(value: bigint | number): void { this.reserve(8).setBigUint64(this.length - 8, BigInt(value), true); }
    i64(value: bigint | number): void { this.reserve(8).setBigInt64(this.length - 8, BigInt(value), true); }

    /** A GGUF string: uint64 byte length, then UTF-8 without a terminator. */
    string(value: string): void {
        const encoded = this.encoder.encode(value);
        this.u64(encoded.length);
        this.reserve(encoded.length);
        this.bytes.set(encoded, this.length - encoded.length);
    }

    /** Zero bytes up to the next multiple of `alignment`. */
    pad(alignment: number): void {
        const padding = (alignment - (this.length % alignment)) % alignment;
        this.reserve(padding);
    }

    toBytes(): Uint8Array {
        return this.bytes.subarray(0, this.length);
    }

    /** Advances the length by `count` (zero-filled) bytes and returns the view to write them through. */
    private reserve(count: number): DataView {
        const needed = this.length + count;
        if (needed > this.bytes.length) {
            const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
            grown.set(this.bytes.subarray(0, this.length));
            this.bytes = grown;
            this.view = new DataView(grown.buffer);
        }
        this.length = needed;
        return this.view;
    }
}
