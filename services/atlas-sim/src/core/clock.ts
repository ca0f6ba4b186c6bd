/**
 * The simulator's clock: simulated time advances `speed` times as fast as real time from an
 * anchor. `speed` 1 with anchor (real now, real now) is real time; speed 0 is a frozen clock.
 */

export type SimClock = { anchorRealMs: number; anchorSimMs: number; speed: number };

/** Simulated time at real time `realMs`. */
export function simTimeAt(clock: SimClock, realMs: number): number {
  return Math.floor(clock.anchorSimMs + (realMs - clock.anchorRealMs) * clock.speed);
}

/** A clock that reads `simMs` at real time `realMs` and then runs at `speed`. */
export function clockAt(simMs: number, realMs: number, speed: number): SimClock {
  return { anchorRealMs: realMs, anchorSimMs: simMs, speed };
}
