/**
 * Agreement between two raters of the same tiles: Cohen's kappa and the confusion matrix, over the tiles
 * both have labelled.
 * @module
 */

/** Labels by tile id. */
export type Ratings = ReadonlyMap<number, string>;

/** Kappa between two raters and the number of tiles it is computed over; `kappa` is null when undefined. */
export interface Agreement {
  kappa: number | null;
  n: number;
}

/**
 * Cohen's kappa: (observed agreement − chance agreement) / (1 − chance agreement). Undefined (null) when the
 * raters share no tile, or when chance agreement is 1 (both gave one and the same label to everything).
 */
export function cohensKappa(a: Ratings, b: Ratings): Agreement {
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  let n = 0;
  let agree = 0;
  for (const [tile, la] of a) {
    const lb = b.get(tile);
    if (lb === undefined) continue;
    n++;
    if (la === lb) agree++;
    countsA.set(la, (countsA.get(la) ?? 0) + 1);
    countsB.set(lb, (countsB.get(lb) ?? 0) + 1);
  }
  if (n === 0) return { kappa: null, n };
  let chance = 0;
  for (const [label, count] of countsA) chance += (count / n) * ((countsB.get(label) ?? 0) / n);
  if (chance === 1) return { kappa: null, n };
  return { kappa: (agree / n - chance) / (1 - chance), n };
}

/** Rows: `a`'s label; columns: `b`'s; cells count tiles both labelled, in the order of `classes`. */
export function confusionMatrix(a: Ratings, b: Ratings, classes: readonly string[]): number[][] {
  const matrix = classes.map(() => classes.map(() => 0));
  for (const [tile, la] of a) {
    const lb = b.get(tile);
    const i = classes.indexOf(la);
    const j = lb === undefined ? -1 : classes.indexOf(lb);
    if (i >= 0 && j >= 0) matrix[i]![j]!++;
  }
  return matrix;
}
