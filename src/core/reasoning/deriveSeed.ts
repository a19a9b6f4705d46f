/**
 * The sampling seed of path `index` of a multi-path request seeded with `seed`: path 0 uses the seed itself (so
 * it reproduces a single generation with that seed), every other path a 32-bit mix of both (a splitmix32 /
 * murmur3 finaliser), so neighbouring paths and neighbouring request seeds get unrelated streams.
 */
export function deriveSeed(seed: number, index: number): number {
    if (index === 0) return seed >>> 0;
    let x = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index, 0x85ebca77)) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
}
