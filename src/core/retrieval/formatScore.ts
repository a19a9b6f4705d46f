/** A retrieval score as every view shows it: four decimals, a real minus sign for negative cosines. */
export function formatScore(score: number): string {
    return score < 0 ? `−${(-score).toFixed(4)}` : score.toFixed(4);
}
