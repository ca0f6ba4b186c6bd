/**
 * An order-tolerant sliding window of attempts, for rules that count events per subject.
 *
 * Events of one partition do not arrive in event-time order: ingest fetches each host's audit
 * log and each cluster's access history independently (a backfill can be hours apart between
 * streams), and access history pages newest first. So a window never prunes relative to the
 * event being evaluated, and a count asks "is there any window of the given length around this
 * event with enough attempts", which is the same answer whatever the arrival order.
 *
 * Lists are kept sorted by (time, key), so that adding, pruning and finding the attempts near an
 * event are binary searches rather than a scan and a sort of the whole list: under a flood of
 * failures (an attack, exactly when detection must keep up) a subject's list sits at its cap of
 * a thousand entries. A list written by an older version (insertion order) is sorted on first use.
 */

/** One attempt: [event time ms, attempt key, event id, extra (e.g. source IP)]. */
export type Attempt = [at: number, key: string, id: string, extra: string];
export type Attempts = Attempt[];

/** The list order: time, then key. */
function compare(a: Attempt, b: Attempt): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

function isSorted(list: Attempts): boolean {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1] as Attempt, list[i] as Attempt) > 0) return false;
  return true;
}

/** The list itself when it is in order, else a sorted copy (never mutates it). */
function inOrder(list: Attempts): Attempts {
  return isSorted(list) ? list : [...list].sort(compare);
}

/** The first index whose time is >= `at` (list sorted); with `strictly`, the first whose time is > `at`. */
function firstFrom(list: Attempts, at: number, strictly = false): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const time = (list[mid] as Attempt)[0];
    if (time < at || (strictly && time === at)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const firstAtOrAfter = (list: Attempts, at: number): number => firstFrom(list, at);
const firstAfter = (list: Attempts, at: number): number => firstFrom(list, at, true);

/**
 * Adds the attempt (unless one with the same time and key is already there: replays and the same
 * attempt seen in two sources count once) and keeps the entries newer than
 * `newest - horizonMs`, at most `maxEntries` (the newest). Returns the new list, sorted by
 * (time, key), or `undefined` when nothing changed (the caller skips the state write). Pure:
 * never mutates `prior`.
 */
export function addAttempt(prior: Attempts | undefined, attempt: Attempt, horizonMs: number, maxEntries: number): Attempts | undefined {
  const list = prior === undefined ? [] : inOrder(prior);
  const [t, key] = attempt;
  const last = list[list.length - 1];
  const newest = last !== undefined && last[0] > t ? last[0] : t;
  // An attempt older than the horizon of what is already known changes nothing.
  if (t <= newest - horizonMs) return undefined;
  // Where the attempt goes: after every entry that sorts before it; an equal one is a repeat.
  let at = firstAtOrAfter(list, t);
  while (at < list.length && (list[at] as Attempt)[0] === t && (list[at] as Attempt)[1] < key) at++;
  const same = list[at];
  if (same !== undefined && same[0] === t && same[1] === key) return undefined;
  const from = Math.max(firstAfter(list, newest - horizonMs), at + 1 - maxEntries);
  // Entries at [from, at), the attempt, entries at [at, end): at most maxEntries + 1, trimmed from the oldest.
  const kept = list.slice(from, at);
  kept.push(attempt);
  for (let i = at; i < list.length; i++) kept.push(list[i] as Attempt);
  return kept.length <= maxEntries ? kept : kept.slice(kept.length - maxEntries);
}

/** Adds `by` to `counts[index]` and returns the new count. */
function bump(counts: Int32Array, index: number, by: number): number {
  const next = (counts[index] ?? 0) + by;
  counts[index] = next;
  return next;
}

/** The densest run found around an event: distinct keys counted, with their attempts. */
export type Densest = { count: number; attempts: Attempts };

/**
 * The largest number of distinct `distinctOf(attempt)` values among attempts inside any window of
 * length `windowMs` that contains `t` (i.e. starts in `[t - windowMs, t]`), and those attempts
 * (in list order). Independent of the order in which the attempts were added. Pure.
 */
export function densestAround(list: Attempts, t: number, windowMs: number, distinctOf: (a: Attempt) => string): Densest {
  const sorted = inOrder(list);
  // Only attempts in (t - windowMs, t + windowMs) can share a window with t.
  const lo = firstAfter(sorted, t - windowMs);
  const hi = firstAtOrAfter(sorted, t + windowMs);
  // Each distinct value as a small int, so the sliding count below is array arithmetic, not map updates.
  const ids = new Map<string, number>();
  const idOf = new Int32Array(hi - lo);
  for (let i = lo; i < hi; i++) {
    const k = distinctOf(sorted[i] as Attempt);
    let id = ids.get(k);
    if (id === undefined) {
      id = ids.size;
      ids.set(k, id);
    }
    idOf[i - lo] = id;
  }
  const counts = new Int32Array(ids.size);
  let distinct = 0;
  let bestCount = 0;
  let bestFrom = lo;
  let bestTo = lo;
  let j = lo;
  let startsAtT = false;
  // A best window containing t can be shifted right until it starts at an attempt <= t or at t itself, so those are the
  // candidate starts; two pointers keep it linear in the attempts near t.
  for (let i = lo; i < hi; i++) {
    const start = (sorted[i] as Attempt)[0];
    if (start > t) break;
    if (start === t) startsAtT = true;
    while (j < hi && (sorted[j] as Attempt)[0] < start + windowMs) {
      if (bump(counts, idOf[j - lo] as number, 1) === 1) distinct++;
      j++;
    }
    if (start + windowMs > t && distinct > bestCount) {
      bestCount = distinct;
      bestFrom = i;
      bestTo = j;
    }
    if (bump(counts, idOf[i - lo] as number, -1) === 0) distinct--;
  }
  // The window starting at t itself (every attempt in it at or after t); already a candidate when an attempt is at t.
  if (!startsAtT) {
    const from = firstAtOrAfter(sorted, t);
    counts.fill(0);
    let after = 0;
    for (let i = from; i < hi; i++) if (bump(counts, idOf[i - lo] as number, 1) === 1) after++;
    if (after > bestCount) return { count: after, attempts: sorted.slice(from, hi) };
  }
  return { count: bestCount, attempts: sorted.slice(bestFrom, bestTo) };
}

/** Attempts in `[fromMs, toMs)`, in list order. */
export function attemptsBetween(list: Attempts, fromMs: number, toMs: number): Attempts {
  const sorted = inOrder(list);
  return sorted.slice(firstAtOrAfter(sorted, fromMs), firstAtOrAfter(sorted, toMs));
}

/**
 * The last `n` distinct values of `pick` over the attempts, oldest first: a walk back from the
 * newest that stops at `n`, so a window at its cap costs `n` steps, not a set of all of it.
 * (Event ids are unique within a window, where this is the last `n` ids.)
 */
export function newestDistinct(list: Attempts, pick: (a: Attempt) => string, n: number): string[] {
  const seen = new Set<string>();
  for (let i = list.length - 1; i >= 0 && seen.size < n; i--) seen.add(pick(list[i] as Attempt));
  return [...seen].reverse();
}
