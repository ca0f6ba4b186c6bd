import type { TimeWindow } from './window.ts';

/**
 * A checkpoint per stream (project + host or cluster + source). `cursorMs`: every record up to
 * it has been fetched and acknowledged by Kafka. `seen`: ids (prefixes) and timestamps of what
 * was produced at or after the dedupe horizon, so overlapping windows do not produce it again.
 * `state`: source-specific data (the previous posture snapshot).
 */
export type Checkpoint = {
  key: string;
  cursorMs: number;
  seen: Array<[idPrefix: string, timestampMs: number]>;
  state?: Record<string, unknown> | undefined;
  /** Monotonic per key: how many windows have been committed. */
  seq: number;
  /** Event time of the last commit (the shell's clock), ISO. */
  updatedAt: string;
};

/** How many hex digits of an event id the dedupe set keeps: 96 bits, collisions negligible. */
export const SEEN_ID_HEX = 24;

/**
 * The most dedupe entries a checkpoint keeps (about 9 MB serialised, under the checkpoint
 * topic's 16 MB record limit). Past it the oldest entries go first: a re-read record near the
 * horizon could then be produced twice, which is better than a checkpoint Kafka refuses.
 */
export const MAX_SEEN_ENTRIES = 200_000;

/** The dedupe-set key of an event id. */
export function seenKey(eventId: string): string {
  return eventId.slice(0, SEEN_ID_HEX);
}

/** The set view of a checkpoint's dedupe list. */
export function seenSet(checkpoint: Checkpoint | undefined): Set<string> {
  return new Set((checkpoint?.seen ?? []).map(([id]) => id));
}

/**
 * The checkpoint after a window was fully acknowledged: the cursor moves to the window end
 * (never backwards), `produced` joins the dedupe set, and entries older than `horizonMs` are
 * dropped. Only call it once Kafka has acknowledged every record of the window.
 */
export function advanceCheckpoint(
  previous: Checkpoint | undefined,
  key: string,
  window: TimeWindow,
  produced: ReadonlyArray<readonly [string, number]>,
  horizonMs: number,
  nowIso: string,
  state?: Record<string, unknown>,
): Checkpoint {
  const merged = new Map<string, number>();
  for (const [id, ts] of previous?.seen ?? []) if (ts >= horizonMs) merged.set(id, ts);
  for (const [id, ts] of produced) if (ts >= horizonMs) merged.set(seenKey(id), Math.max(ts, merged.get(seenKey(id)) ?? ts));
  const all: Array<[string, number]> = [...merged.entries()];
  all.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const seen = all.length > MAX_SEEN_ENTRIES ? all.slice(all.length - MAX_SEEN_ENTRIES) : all;
  const next: Checkpoint = {
    key,
    cursorMs: Math.max(previous?.cursorMs ?? window.endMs, window.endMs),
    seen,
    seq: (previous?.seq ?? 0) + 1,
    updatedAt: nowIso,
  };
  const nextState = state ?? previous?.state;
  if (nextState !== undefined) next.state = nextState;
  return next;
}

/** The checkpoint a new stream starts from: cursor at `startMs`, nothing seen. */
export function initialCheckpoint(key: string, startMs: number, nowIso: string): Checkpoint {
  return { key, cursorMs: startMs, seen: [], seq: 0, updatedAt: nowIso };
}

/** The later of two checkpoints of one key (higher seq, then later cursor); undefined-safe. */
export function laterCheckpoint(a: Checkpoint | undefined, b: Checkpoint | undefined): Checkpoint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.seq !== b.seq) return a.seq > b.seq ? a : b;
  return a.cursorMs >= b.cursorMs ? a : b;
}
