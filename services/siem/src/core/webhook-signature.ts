import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the webhook signature. */
export const SIGNATURE_HEADER = 'x-atlas-audit-signature';

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Binding the
 * timestamp into the MAC lets receivers reject replays older than their tolerance. Deterministic.
 */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`, 'utf8').digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/**
 * Verifies a signature header against the body (constant-time compare) and a replay tolerance.
 * Returns false for malformed headers; never throws.
 */
export function verifyWebhook(secret: string, header: string, body: string, nowS: number, toleranceS: number): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (match === null) return false;
  const timestampS = Number(match[1]);
  if (Math.abs(nowS - timestampS) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestampS, body).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(match[2] ?? '', 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
