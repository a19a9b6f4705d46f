import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
    GgmlType, GgufCountError, GgufFile, GgufFormatError, GgufValueType, gguf, plainValue, readGgufHeader, readGgufPreamble, readGgufTensor, writeGguf,
    ggufPreambleBytes, minMetadataEntryBytes, minTensorInfoBytes,
    float16BitsToFloat32, float32ToFloat16Bits, type GgufMetadata,
} from '../../src/core/gguf';

const dir = mkdtempSync(join(tmpdir(), 'promptscope-gguf-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tempPath = (): string => join(dir, `t${counter++}.gguf`);

const everyType: GgufMetadata = new Map([
    ['t.u8', gguf.u8(255)],
    ['t.i8', gguf.i8(-128)],
    ['t.u16', gguf.u16(65535)],
    ['t.i16', gguf.i16(-32768)],
    ['t.u32', gguf.u32(4294967295)],
    ['t.i32', gguf.i32(-2147483648)],
    ['t.f32', gguf.f32(Math.fround(0.1))],
    ['t.f64', gguf.f64(0.1)],
    ['t.u64', gguf.u64((1n << 64n) - 1n)],
    ['t.i64', gguf.i64(-(1n << 63n))],
    ['t.bool.true', gguf.bool(true)],
    ['t.bool.false', gguf.bool(false)],
    ['t.string', gguf.str('héllo ▁wörld 正面 🙂')],
    ['t.string.empty', gguf.str('')],
    ['t.array.u8', gguf.array(GgufValueType.Uint8, [0, 1, 255])],
    ['t.array.i8', gguf.array(GgufValueType.Int8, [-1, 127])],
    ['t.array.u16', gguf.array(GgufValueType.Uint16, [1, 65535])],
    ['t.array.i16', gguf.array(GgufValueType.Int16, [-2, 2])],
    ['t.array.u32', gguf.array(GgufValueType.Uint32, [3, 4294967295])],
    ['t.array.i32', gguf.array(GgufValueType.Int32, [-3, 6])],
    ['t.array.f32', gguf.array(GgufValueType.Float32, [1.5, -0.25, Math.fround(1e-5)])],
    ['t.array.f64', gguf.array(GgufValueType.Float64, [Math.PI, -1e300])],
    ['t.array.u64', gguf.array(GgufValueType.Uint64, [0n, 1n << 60n])],
    ['t.array.i64', gguf.array(GgufValueType.Int64, [-5n, 5n])],
    ['t.array.bool', gguf.array(GgufValueType.Bool, [true, false, true])],
    ['t.array.string', gguf.array(GgufValueType.String, ['<s>', '', '▁the', '<0xE9>'])],
    ['t.array.empty', gguf.array(GgufValueType.Int32, [])],
    ['t.array.nested', gguf.array(GgufValueType.Array, [
        gguf.array(GgufValueType.String, ['a', 'b']),
        gguf.array(GgufValueType.Float32, [2]),
    ])],
]);

test('every metadata value type round-trips with its exact GGUF type, in file order', async () => {
    const path = tempPath();
    await writeGguf(path, { metadata: everyType, tensors: [] });
    const header = await readGgufHeader(path);
    assert.equal(header.version, 3);
    assert.deepEqual([...header.metadata.keys()], [...everyType.keys(), 'general.alignment']);
    for (const [key, value] of everyType) assert.deepEqual(header.metadata.get(key), value, key);
    assert.deepEqual(header.metadata.get('general.alignment'), gguf.u32(32));
    assert.deepEqual(plainValue(header.metadata.get('t.array.nested')!), [['a', 'b'], [2]]);
    assert.equal(header.tensors.length, 0);
});

test('the header is laid out as the GGUF v3 spec says', async () => {
    const path = tempPath();
    await writeGguf(path, { metadata: new Map([['k', gguf.str('v')]]), tensors: [] });
    const bytes = readFileSync(path);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'GGUF');
    assert.equal(view.getUint32(4, true), 3);
    assert.equal(view.getBigUint64(8, true), 0n); // tensors
    assert.equal(view.getBigUint64(16, true), 2n); // k and general.alignment
    assert.equal(view.getBigUint64(24, true), 1n); // key length
    assert.equal(bytes.subarray(32, 33).toString(), 'k');
    assert.equal(view.getUint32(33, true), GgufValueType.String);
    assert.equal(view.getBigUint64(37, true), 1n);
    assert.equal(bytes.subarray(45, 46).toString(), 'v');
    assert.equal(bytes.length % 32, 0);
});

test('F32 tensors round-trip exactly; tensors are aligned to general.alignment', async () => {
    for (const alignment of [32, 64]) {
        const path = tempPath();
        const a = Float32Array.from({ length: 3 * 5 }, (_, i) => Math.fround(i * 0.37 - 2));
        const b = new Float32Array([1e-30, -0, Number.POSITIVE_INFINITY]);
        await writeGguf(path, {
            alignment,
            metadata: new Map(),
            tensors: [
                { name: 'a', shape: [3, 5], type: GgmlType.F32, data: a },
                { name: 'b', shape: [3], type: GgmlType.F32, data: b },
            ],
        });
        const header = await readGgufHeader(path);
        assert.deepEqual(header.metadata.get('general.alignment'), gguf.u32(alignment));
        assert.equal(header.dataOffset % alignment, 0);
        for (const tensor of header.tensors) assert.equal(tensor.fileOffset % alignment, 0, tensor.name);
        assert.deepEqual(header.tensors.map(t => [t.name, t.shape, t.type, t.elements]), [['a', [3, 5], GgmlType.F32, 15], ['b', [3], GgmlType.F32, 3]]);
        assert.equal(header.tensors[1]!.offset, alignment === 32 ? 64 : 64);
        assert.deepEqual(await readGgufTensor(path, 'a'), a);
        assert.deepEqual(await readGgufTensor(path, 'b'), b);
        assert.equal(header.fileSize, header.dataOffset + header.tensors[1]!.offset + alignment);
    }
});

test('F16 conversion rounds to nearest even and handles subnormals, overflow and NaN', () => {
    const cases: Array<[number, number]> = [
        [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00], [1e9, 0x7c00],
        [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [2 ** -14, 0x0400],
        [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 / 3, 0x3555], [Number.NEGATIVE_INFINITY, 0xfc00],
    ];
    for (const [value, bits] of cases) assert.equal(float32ToFloat16Bits(value), bits, `f16(${value})`);
    assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN))));
    for (let bits = 0; bits < 0x7c00; bits += 7) assert.equal(float32ToFloat16Bits(float16BitsToFloat32(bits)), bits);
});

test('F16 tensors round-trip within half-precision rounding', async () => {
    const path = tempPath();
    const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 3);
    await writeGguf(path, { metadata: new Map(), tensors: [{ name: 'h', shape: [16, 4], type: GgmlType.F16, data: values }] });
    const back = await readGgufTensor(path, 'h');
    assert.equal((await readGgufHeader(path)).tensors[0]!.bytes, 128);
    for (let i = 0; i < values.length; i++) {
        assert.equal(back[i], float16BitsToFloat32(float32ToFloat16Bits(values[i]!)));
        assert.ok(Math.abs(back[i]! - values[i]!) <= Math.abs(values[i]!) * 2 ** -11, `value ${i}`);
    }
});

test('Q8_0 blocks are an f16 scale and 32 int8 quants, like ggml', async () => {
    const path = tempPath();
    const values = new Float32Array(64);
    for (let j = 0; j < 32; j++) values[j] = (j - 16) / 4; // amax 4 → d = 4/127
    // The second block is all zero: its scale is 0 and so are its quants.
    await writeGguf(path, { metadata: new Map(), tensors: [{ name: 'q', shape: [32, 2], type: GgmlType.Q8_0, data: values }] });
    const header = await readGgufHeader(path);
    const tensor = header.tensors[0]!;
    assert.equal(tensor.bytes, 68);
    const raw = readFileSync(path).subarray(tensor.fileOffset, tensor.fileOffset + 68);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    assert.equal(view.getUint16(0, true), float32ToFloat16Bits(4 / 127));
    assert.equal(view.getInt8(2), -127); // -4 / d
    assert.equal(view.getInt8(2 + 16), 0);
    assert.equal(view.getInt8(2 + 18), 16); // 0.5 / (4/127) = 15.875, rounded
    assert.equal(view.getUint16(34, true), 0);
    assert.ok(raw.subarray(36, 68).every(b => b === 0));
    const back = await readGgufTensor(path, 'q');
    const d = float16BitsToFloat32(float32ToFloat16Bits(4 / 127));
    for (let j = 0; j < 64; j++) assert.ok(Math.abs(back[j]! - values[j]!) <= d / 2 + 1e-3, `value ${j}: ${back[j]} vs ${values[j]}`);
});

test('Q8_0 keeps every value within half a quantization step of its block', async () => {
    const path = tempPath();
    const values = Float32Array.from({ length: 32 * 40 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 97)));
    await writeGguf(path, { metadata: new Map(), tensors: [{ name: 'q', shape: [64, 20], type: GgmlType.Q8_0, data: values }] });
    const back = await readGgufTensor(path, 'q');
    for (let block = 0; block < 40; block++) {
        const slice = values.subarray(block * 32, block * 32 + 32);
        const step = Math.max(...slice.map(Math.abs)) / 127;
        for (let j = 0; j < 32; j++) {
            const i = block * 32 + j;
            // Half a step, plus the scale's own f16 rounding (relative 2^-11) times up to 127 quanta.
            assert.ok(Math.abs(back[i]! - values[i]!) <= step * (0.5 + 127 * 2 ** -11) + 1e-6, `value ${i}`);
        }
    }
});

test('tensor data can be streamed in chunks and equals the one-array write', async () => {
    const values = Float32Array.from({ length: 32 * 12 }, (_, i) => (i % 13) - 6);
    const whole = tempPath();
    const chunked = tempPath();
    const tensors = (data: Float32Array | (() => Iterable<Float32Array>)) => [{ name: 'x', shape: [32, 12], type: GgmlType.Q8_0, data }];
    await writeGguf(whole, { metadata: new Map(), tensors: tensors(values) });
    await writeGguf(chunked, { metadata: new Map(), tensors: tensors(function* () {
        for (let i = 0; i < 12; i += 4) yield values.slice(i * 32, (i + 4) * 32);
    }) });
    assert.deepEqual(readFileSync(chunked), readFileSync(whole));
});

test('GgufFile reads several tensors through one handle, by name or info', async () => {
    const path = tempPath();
    await writeGguf(path, { metadata: new Map(), tensors: [
        { name: 'one', shape: [2], type: GgmlType.F32, data: new Float32Array([1, 2]) },
        { name: 'two', shape: [2, 2], type: GgmlType.F16, data: new Float32Array([3, 4, 5, 6]) },
    ] });
    const file = await GgufFile.open(path);
    try {
        assert.deepEqual(await file.readTensor('two'), new Float32Array([3, 4, 5, 6]));
        assert.deepEqual(await file.readTensor(file.tensor('one')), new Float32Array([1, 2]));
        assert.throws(() => file.tensor('three'), GgufFormatError);
    } finally {
        await file.close();
    }
});

test('the writer refuses shapes and data that do not match', async () => {
    const data = new Float32Array(10);
    await assert.rejects(writeGguf(tempPath(), { metadata: new Map(), tensors: [{ name: 'x', shape: [3, 3], type: GgmlType.F32, data }] }), /10 values supplied, its shape needs 9|more than its 9/);
    await assert.rejects(writeGguf(tempPath(), { metadata: new Map(), tensors: [{ name: 'x', shape: [10], type: GgmlType.Q8_0, data }] }), /multiple of 32/);
    await assert.rejects(writeGguf(tempPath(), { metadata: new Map([['k', gguf.u8(300)]]), tensors: [] }), /Uint8/);
    await assert.rejects(writeGguf(tempPath(), { metadata: new Map([['general.alignment', gguf.u32(64)]]), tensors: [], alignment: 32 }), /general.alignment/);
});

test('a failed write leaves no file behind', async () => {
    const path = tempPath();
    await assert.rejects(writeGguf(path, { metadata: new Map(), tensors: [{ name: 'x', shape: [4], type: GgmlType.F32, data: () => [new Float32Array(3)] }] }));
    assert.throws(() => readFileSync(path), /ENOENT/);
});

test('the reader names the file and the problem for files that are not GGUF', async () => {
    const notGguf = join(dir, 'zip.gguf');
    writeFileSync(notGguf, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(60)]));
    await assert.rejects(readGgufHeader(notGguf), (error: unknown) =>
        error instanceof GgufFormatError && error.path === notGguf && /does not start with "GGUF"/.test(error.message));

    const short = join(dir, 'short.gguf');
    writeFileSync(short, 'GGUF');
    await assert.rejects(readGgufHeader(short), /too short/);

    const good = tempPath();
    await writeGguf(good, { metadata: everyType, tensors: [{ name: 'x', shape: [64], type: GgmlType.F32, data: new Float32Array(64) }] });
    const bytes = readFileSync(good);
    const truncatedHeader = join(dir, 'truncated-header.gguf');
    writeFileSync(truncatedHeader, bytes.subarray(0, 200));
    await assert.rejects(readGgufHeader(truncatedHeader), (error: unknown) => error instanceof GgufFormatError && /ends early|more than the file can hold/.test(error.message));
    const truncatedData = join(dir, 'truncated-data.gguf');
    writeFileSync(truncatedData, bytes.subarray(0, bytes.length - 100));
    await assert.rejects(readGgufHeader(truncatedData), /tensor x runs past the end of the file/);

    const version = Buffer.from(bytes);
    version.writeUInt32LE(1, 4);
    const v1 = join(dir, 'v1.gguf');
    writeFileSync(v1, version);
    await assert.rejects(readGgufHeader(v1), /GGUF version 1 is not supported/);
});

/** A GGUF v3 preamble announcing `tensors` tensors and `keys` metadata entries. */
function preamble(tensors: bigint, keys: bigint): Buffer {
    const bytes = Buffer.alloc(ggufPreambleBytes);
    bytes.write('GGUF', 0, 'latin1');
    bytes.writeUInt32LE(3, 4);
    bytes.writeBigUInt64LE(tensors, 8);
    bytes.writeBigUInt64LE(keys, 16);
    return bytes;
}

test('counts the file cannot hold are refused at once, as a GgufCountError naming the file', async () => {
    for (const [tensors, keys] of [[2n ** 62n, 1n], [1n, 2n ** 62n], [2n ** 64n - 1n, 2n ** 64n - 1n]] as const) {
        const path = join(dir, `huge-${tensors}-${keys}.gguf`);
        writeFileSync(path, preamble(tensors, keys));
        const started = performance.now();
        await assert.rejects(readGgufHeader(path), (error: unknown) => error instanceof GgufCountError && error.path === path
            && error.tensorCount === tensors && error.metadataCount === keys && error.message.includes(path) && /more than the file can hold/.test(error.message));
        assert.ok(performance.now() - started < 1000);
    }
    // The smallest encodings fit exactly; one byte less does not.
    const exact = ggufPreambleBytes + 2 * minTensorInfoBytes + 3 * minMetadataEntryBytes;
    assert.deepEqual(readGgufPreamble('x.gguf', preamble(2n, 3n), exact), { version: 3, tensorCount: 2, metadataCount: 3 });
    assert.throws(() => readGgufPreamble('x.gguf', preamble(2n, 3n), exact - 1), GgufCountError);
    // Not GGUF, or too short for the preamble: the format error, not the count error.
    assert.throws(() => readGgufPreamble('x.gguf', Buffer.from('PK\x03\x04'), 4), (error: unknown) => error instanceof GgufFormatError && !(error instanceof GgufCountError));
    assert.throws(() => readGgufPreamble('x.gguf', preamble(0n, 0n).subarray(0, 12), 12), /too short/);
});

test('a real file\'s preamble passes the count check', async () => {
    const path = tempPath();
    await writeGguf(path, { metadata: everyType, tensors: [{ name: 'x', shape: [64], type: GgmlType.F32, data: new Float32Array(64) }] });
    const bytes = readFileSync(path);
    assert.deepEqual(readGgufPreamble(path, bytes.subarray(0, ggufPreambleBytes), bytes.length), { version: 3, tensorCount: 1, metadataCount: (await readGgufHeader(path)).metadata.size });
});
