import type { z } from 'zod';
import type { webhookSinkSchema } from '../config.ts';
import { toOcsfDetectionFinding } from '../core/ocsf.ts';
import { SIGNATURE_HEADER, signWebhook } from '../core/webhook-signature.ts';
import { postJson } from './http-post.ts';
import type { AlertItem, Identity, Sink } from './sink.ts';

/**
 * Generic webhook: one POST per batch with a JSON array of alerts (raw alert JSON or OCSF
 * Detection Findings), `x-atlas-audit-alert-ids` listing the ids, and when a secret is set an
 * HMAC-SHA256 signature header `t=<unix s>,v1=<hex>` over `<t>.<body>`.
 */
export function createWebhookSink(config: z.output<typeof webhookSinkSchema>, identity: Identity, nowMs: () => number = Date.now): Sink {
  const product = { name: identity.device.product, vendor: identity.device.vendor, version: identity.device.version };
  return {
    name: config.name,
    type: 'webhook',
    async deliver(items: readonly AlertItem[], signal: AbortSignal) {
      const docs = items.map((i) => (config.format === 'ocsf' ? JSON.stringify(toOcsfDetectionFinding(i.alert, product)) : i.raw));
      const body = `[${docs.join(',')}]`;
      const headers: Record<string, string> = { ...config.headers, 'x-atlas-audit-alert-ids': items.map((i) => i.alert.event.id).join(',') };
      if (config.hmacSecret !== undefined) headers[SIGNATURE_HEADER] = signWebhook(config.hmacSecret, Math.floor(nowMs() / 1000), body);
      await postJson(config.name, config.url, body, headers, signal);
    },
    close: async () => {},
  };
}
