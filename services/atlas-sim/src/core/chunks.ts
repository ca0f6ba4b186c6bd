/**
 * Atlas stores logs in ~5-minute chunks and publishes each one a few minutes after it closes.
 * The simulator's rule: chunk k covers [k·5 min, (k+1)·5 min) in epoch milliseconds; a log
 * request for [start, end] returns every published chunk that overlaps it, whole.
 */

export const chunkMs = 5 * 60 * 1000;

/** The start of the chunk that contains `ms`. */
export function chunkStartOf(ms: number): number {
  return Math.floor(ms / chunkMs) * chunkMs;
}

/** Starts of every chunk overlapping the closed window [startMs, endMs], oldest first. */
export function chunksOverlapping(startMs: number, endMs: number): number[] {
  const out: number[] = [];
  if (endMs < startMs) return out;
  for (let c = chunkStartOf(startMs); c <= endMs; c += chunkMs) out.push(c);
  return out;
}

/** When a chunk's lines become visible: its end plus the publication lag (late lines add their delay). */
export function chunkPublishedAt(chunkStart: number, lagMs: number): number {
  return chunkStart + chunkMs + lagMs;
}
