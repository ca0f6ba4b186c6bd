/**
 * An order-tolerant sliding window of attempts, for rules that count events per subject.
 *
 * Events of one partition do not arrive in event-time order: ingest fetches each host's audit
 * log and each cluster's access history independently (a backfill can be hours apart between
 * streams), and access history pages newest first. So a window never prunes relative to the
 * event being evaluated, and a count asks "is there any window of the given length around this
 * event with enough attempts", which is the same answer whatever the arrival order.
 */

/** One attempt: [event time ms, attempt key, event id, extra (e.g. source IP)]. */
export type Attempt = [at: number, key: string, id: string, extra: string];
export type Attempts = Attempt[];

/**
 * Adds the attempt (unless one with the same time and key is already there: replays and the same
 * attempt seen in two sources count once) and keeps the entries newer than
 * `newest - horizonMs`, at most `maxEntries` (the newest). Returns the new list, or `undefined`
 * when nothing changed (the caller skips the state write). Pure: never mutates `prior`.
 */
export function addAttempt(prior: Attempts | undefined, attempt: Attempt, horizonMs: number, maxEntries: number): Attempts | undefined {
  const list = prior ?? [];
  const [t, key] = attempt;
  let newest = t;
  for (const e of list) if (e[0] > newest) newest = e[0];
  // An attempt older than the horizon of what is already known changes nothing.
  if (t <= newest - horizonMs) return undefined;
  for (const e of list) if (e[0] === t && e[1] === key) return undefined;
  const kept = list.filter((e) => e[0] > newest - horizonMs);
  kept.push(attempt);
  if (kept.length <= maxEntries) return kept;
  kept.sort((a, b) => a[0] - b[0]);
  return kept.slice(-maxEntries);
}

/** The densest run found around an event: distinct keys counted, with their attempts. */
export type Densest = { count: number; attempts: Attempts };

/**
 * The largest number of distinct `distinctOf(attempt)` values among attempts inside any window of
 * length `windowMs` that contains `t` (i.e. starts in `[t - windowMs, t]`), and those attempts.
 * Independent of the order in which the attempts were added. Pure.
 */
export function densestAround(list: Attempts, t: number, windowMs: number, distinctOf: (a: Attempt) => string): Densest {
  const near = list.filter((e) => e[0] > t - windowMs && e[0] < t + windowMs).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  let bestCount = 0;
  let bestFrom = 0;
  let bestTo = 0;
  const counts = new Map<string, number>();
  let j = 0;
  // A best window containing t can be shifted right until it starts at an attempt <= t or at t itself, so those are the
  // candidate starts; two pointers keep it O(k log k).
  for (let i = 0; i < near.length; i++) {
    const start = (near[i] as Attempt)[0];
    if (start > t) break;
    while (j < near.length && (near[j] as Attempt)[0] < start + windowMs) {
      const k = distinctOf(near[j] as Attempt);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      j++;
    }
    if (start + windowMs > t && counts.size > bestCount) {
      bestCount = counts.size;
      bestFrom = i;
      bestTo = j;
    }
    const k = distinctOf(near[i] as Attempt);
    const left = (counts.get(k) ?? 1) - 1;
    if (left === 0) counts.delete(k);
    else counts.set(k, left);
  }
  // The window starting at t itself (every attempt in it at or after t).
  const atOrAfter = near.filter((e) => e[0] >= t && e[0] < t + windowMs);
  const distinctAfter = new Set(atOrAfter.map(distinctOf)).size;
  if (distinctAfter > bestCount) return { count: distinctAfter, attempts: atOrAfter };
  return { count: bestCount, attempts: near.slice(bestFrom, bestTo) };
}

/** Attempts in `[fromMs, toMs)`. */
export function attemptsBetween(list: Attempts, fromMs: number, toMs: number): Attempts {
  return list.filter((e) => e[0] >= fromMs && e[0] < toMs);
}
