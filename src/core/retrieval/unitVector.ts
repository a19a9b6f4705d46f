/**
 * `vector` scaled to length 1, in Float64 then stored as Float32; the zero vector stays zero (its cosine with anything
 * is then 0, not NaN). Cosine similarity of unit vectors is their dot product.
 */
export function unitVector(vector: ArrayLike<number>): Float32Array {
    let squares = 0;
    for (let i = 0; i < vector.length; i++) squares += vector[i]! * vector[i]!;
    const norm = Math.sqrt(squares);
    const unit = new Float32Array(vector.length);
    if (norm === 0) return unit;
    for (let i = 0; i < vector.length; i++) unit[i] = vector[i]! / norm;
    return unit;
}
