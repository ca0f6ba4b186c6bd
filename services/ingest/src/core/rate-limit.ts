/**
 * Reading Atlas' rate-limit signals: `Retry-After` (seconds or an HTTP date) on 429, and the
 * `RateLimit-Limit`/`RateLimit-Remaining` headers when present. Pure.
 */

/** The delay a Retry-After value asks for, in ms, or undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The seconds named in Atlas' 429 detail ("Please retry after 55 seconds"), as ms. */
export function retryAfterFromDetail(detail: unknown): number | undefined {
  if (typeof detail !== 'string') return undefined;
  const match = /retry after (\d+) seconds?/i.exec(detail);
  return match === null ? undefined : Number(match[1]) * 1000;
}

/**
 * How long to close an endpoint after the `streak`-th 429 in a row that named no delay (no
 * Retry-After, no seconds in the detail): `baseMs`, doubled with each further refusal, capped at
 * `maxMs`. Without it a refused client would come back at a fixed pace however long the limit
 * lasts. `streak` < 1 counts as 1.
 */
export function unhintedRateLimitDelayMs(streak: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** (Math.max(1, Math.floor(streak)) - 1));
}

/**
 * How long to hold back the next request to an endpoint after a response whose
 * RateLimit-Remaining is low: none while more than a tenth of the bucket is left, then a short
 * pause growing as the bucket empties.
 */
export function pacingDelayMs(limit: number | undefined, remaining: number | undefined, basePauseMs: number): number {
  if (limit === undefined || remaining === undefined || limit <= 0) return 0;
  if (remaining > limit / 10) return 0;
  return Math.round(basePauseMs * (1 - remaining / Math.max(1, limit / 10)));
}

/** A header as an integer, or undefined. */
export function headerInt(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
