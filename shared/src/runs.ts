/**
 * Splits `items`, in order, into consecutive runs of at most `maxItems` items whose weights
 * (`weightOf`) add up to at most `maxWeight`. An item heavier than `maxWeight` gets a run of its
 * own. Greedy: a run ends only when the next item would not fit. Concatenated, the runs are `items`.
 */
export function consecutiveRuns<T>(items: readonly T[], weightOf: (item: T) => number, maxWeight: number, maxItems = Number.POSITIVE_INFINITY): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let weight = 0;
  for (const item of items) {
    const w = weightOf(item);
    if (current.length > 0 && (current.length >= maxItems || weight + w > maxWeight)) {
      runs.push(current);
      current = [];
      weight = 0;
    }
    current.push(item);
    weight += w;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
