import { backoffDelayMs } from '@atlas-audit/shared/retry';

/** Headers of a record parked in the retry topic for one sink. */
export type ParkedHeaders = { sink: string; attempt: number; notBeforeMs: number; alertId: string };

/** Header names of parked records. */
export const PARK_HEADER = { sink: 'atlas-siem-sink', attempt: 'atlas-siem-attempt', notBefore: 'atlas-siem-not-before', alertId: 'atlas-siem-alert-id' } as const;

/** Encodes parked-record headers as Kafka string headers. */
export function encodeParkedHeaders(h: ParkedHeaders): Record<string, string> {
  return { [PARK_HEADER.sink]: h.sink, [PARK_HEADER.attempt]: String(h.attempt), [PARK_HEADER.notBefore]: String(h.notBeforeMs), [PARK_HEADER.alertId]: h.alertId };
}

/** Decodes parked-record headers; undefined when the sink header is missing or a number is malformed. */
export function decodeParkedHeaders(headers: Record<string, string>): ParkedHeaders | undefined {
  const sink = headers[PARK_HEADER.sink];
  const attempt = Number(headers[PARK_HEADER.attempt] ?? '1');
  const notBeforeMs = Number(headers[PARK_HEADER.notBefore] ?? '0');
  if (sink === undefined || sink === '' || !Number.isInteger(attempt) || attempt < 1 || !Number.isFinite(notBeforeMs)) return undefined;
  return { sink, attempt, notBeforeMs, alertId: headers[PARK_HEADER.alertId] ?? '' };
}

/**
 * When a parked record may be re-driven: `nowMs` plus exponential backoff by attempt, between
 * `baseDelayMs` and `maxDelayMs` (deterministic given `random`, full jitter above the base).
 */
export function notBeforeOf(nowMs: number, attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const jitter = backoffDelayMs(attempt, baseDelayMs, maxDelayMs, random);
  return nowMs + Math.min(maxDelayMs, baseDelayMs + jitter);
}
