/**
 * Atlas-style token buckets: per endpoint set and scope, `capacity` tokens, refilled by
 * `refillRate` tokens every `refillDurationSeconds` (continuously, pro rata). Pure: state in, state out.
 */

export type BucketLimits = { capacity: number; refillRate: number; refillDurationSeconds: number };
export type BucketState = { tokens: number; updatedMs: number };
export type TakeResult = { allowed: boolean; state: BucketState; remaining: number; retryAfterSeconds: number };

/** Takes one token at `nowMs` if available; otherwise reports how long until one is. */
export function takeToken(limits: BucketLimits, previous: BucketState | undefined, nowMs: number): TakeResult {
  const perMs = limits.refillRate / (limits.refillDurationSeconds * 1000);
  const start = previous ?? { tokens: limits.capacity, updatedMs: nowMs };
  const tokens = Math.min(limits.capacity, start.tokens + Math.max(0, nowMs - start.updatedMs) * perMs);
  // The epsilon absorbs float error, so waiting exactly Retry-After always finds a token.
  if (tokens >= 1 - 1e-9) {
    const state = { tokens: Math.max(0, tokens - 1), updatedMs: nowMs };
    return { allowed: true, state, remaining: Math.floor(state.tokens), retryAfterSeconds: 0 };
  }
  const waitMs = (1 - tokens) / perMs;
  return { allowed: false, state: { tokens, updatedMs: nowMs }, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}
