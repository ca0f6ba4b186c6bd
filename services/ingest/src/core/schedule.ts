import { backoffDelayMs } from '@atlas-audit/shared/retry';

/**
 * When each stream is due. A stream is polled again at once while it has a backlog, after its
 * interval once caught up, and after an exponential, jittered backoff when a window failed
 * (the window is retried, never skipped). Pure; randomness is passed in.
 */
export type StreamTiming = { dueAtMs: number; failures: number };

/** Timing after a committed window. */
export function afterSuccess(nowMs: number, caughtUp: boolean, intervalMs: number): StreamTiming {
  return { dueAtMs: caughtUp ? nowMs + intervalMs : nowMs, failures: 0 };
}

/** Timing after a failed window: retry after backoff with full jitter, capped. */
export function afterFailure(previous: StreamTiming, nowMs: number, baseMs: number, maxMs: number, random: () => number): StreamTiming {
  const failures = previous.failures + 1;
  return { dueAtMs: nowMs + Math.max(baseMs / 2, backoffDelayMs(failures, baseMs, maxMs, random)), failures };
}

/** Timing when nothing new can be fetched yet: look again after the interval, or sooner. */
export function afterIdle(nowMs: number, intervalMs: number): StreamTiming {
  return { dueAtMs: nowMs + intervalMs, failures: 0 };
}

/** The due streams in order (earliest first), at most `limit`, skipping those in flight. */
export function dueStreams<K>(timings: ReadonlyMap<K, StreamTiming>, inFlight: ReadonlySet<K>, nowMs: number, limit: number): K[] {
  const due: Array<[K, number]> = [];
  for (const [key, timing] of timings) if (!inFlight.has(key) && timing.dueAtMs <= nowMs) due.push([key, timing.dueAtMs]);
  due.sort((a, b) => a[1] - b[1]);
  return due.slice(0, Math.max(0, limit)).map(([key]) => key);
}
