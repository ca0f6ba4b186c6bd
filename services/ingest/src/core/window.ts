/**
 * Window planning for the polled, time-ranged sources (audit logs, access history, activity
 * events). A window is [cursor − overlap, min(now − lag, cursor + maxWindow)], its end rounded
 * down to the source's time granularity. Atlas publishes log chunks late and serves whole
 * chunks, so the overlap re-reads what may have been published after the previous poll; the
 * dedupe set in the checkpoint keeps the overlap from being produced twice.
 */

export type WindowPolicy = {
  /** How far behind now a window may end: Atlas' publication delay. */
  lagMs: number;
  /** How far before the cursor each window starts again. */
  overlapMs: number;
  /** The longest window one request may cover (catch-up after downtime). */
  maxWindowMs: number;
  /** Time granularity of the API's window parameters: 1000 for epoch seconds, 1 for ms. */
  granularityMs: number;
  /** A window shorter than this past the cursor is not worth a request yet. */
  minAdvanceMs: number;
};

export type TimeWindow = { startMs: number; endMs: number };

/**
 * The next window to fetch after `cursorMs` at `nowMs`, or undefined when nothing new can be
 * published yet. Pure; the result always ends after the cursor and starts at or before it.
 */
export function planWindow(cursorMs: number, nowMs: number, policy: WindowPolicy): TimeWindow | undefined {
  const limit = Math.min(nowMs - policy.lagMs, cursorMs + policy.maxWindowMs);
  const endMs = Math.floor(limit / policy.granularityMs) * policy.granularityMs;
  if (endMs - cursorMs < Math.max(policy.minAdvanceMs, 1)) return undefined;
  const startMs = Math.floor((cursorMs - policy.overlapMs) / policy.granularityMs) * policy.granularityMs;
  return { startMs, endMs };
}

/**
 * The oldest timestamp still protected by the dedupe set of a checkpoint whose cursor is
 * `cursorMs`: records older than this were covered by earlier windows and are clipped
 * rather than produced again. Twice the overlap: the next window starts one overlap back,
 * and Atlas may return a whole chunk reaching up to one more overlap before that.
 */
export function dedupeHorizonMs(cursorMs: number, overlapMs: number): number {
  return cursorMs - 2 * overlapMs;
}

/** True when a window ending at `endMs` leaves the source caught up with `nowMs` (no backlog). */
export function isCaughtUp(endMs: number, nowMs: number, policy: WindowPolicy): boolean {
  return nowMs - policy.lagMs - endMs < policy.maxWindowMs / 2 || nowMs - policy.lagMs - endMs < policy.minAdvanceMs * 2;
}
