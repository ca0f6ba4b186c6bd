import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AppError } from '@atlas-audit/shared/errors';
import type { hecSinkSchema } from '../config.ts';
import { hecAckIdOf, hecBody, isHecAcked } from '../core/hec.ts';
import { postJson } from './http-post.ts';
import type { AlertItem, Identity, Sink } from './sink.ts';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/**
 * Splunk HTTP Event Collector: POST `/services/collector/event` with `Authorization: Splunk <token>`.
 * With indexer acknowledgement on, every request carries `X-Splunk-Request-Channel` and the
 * batch counts as delivered only once `/services/collector/ack` reports its ackId indexed;
 * a timeout makes the batch fail (and be retried: duplicates are deduped by alert id).
 */
export function createHecSink(config: z.output<typeof hecSinkSchema>, identity: Identity): Sink {
  const base = config.url.replace(/\/+$/, '');
  const channel = config.ack.channel ?? randomUUID();
  const headers: Record<string, string> = { authorization: `Splunk ${config.token}` };
  if (config.ack.enabled) headers['x-splunk-request-channel'] = channel;
  const options = { host: identity.hostname, source: config.source, sourcetype: config.sourcetype, ...(config.index ? { index: config.index } : {}) };
  return {
    name: config.name,
    type: 'hec',
    async deliver(items: readonly AlertItem[], signal: AbortSignal) {
      const response = await postJson(config.name, `${base}/services/collector/event`, hecBody(items.map((i) => i.alert), options), headers, signal);
      if (!config.ack.enabled) return;
      const ackId = hecAckIdOf(response);
      if (ackId === undefined) throw new AppError(`sink ${config.name}: HEC response without ackId while acknowledgement is enabled`, { code: 'SINK_UNAVAILABLE', retryable: true, details: { sink: config.name } });
      const deadline = Date.now() + config.ack.timeoutMs;
      for (;;) {
        const acks = await postJson(config.name, `${base}/services/collector/ack?channel=${channel}`, JSON.stringify({ acks: [ackId] }), headers, signal);
        if (isHecAcked(acks, ackId)) return;
        if (Date.now() + config.ack.pollIntervalMs > deadline) break;
        await sleep(config.ack.pollIntervalMs, signal);
      }
      throw new AppError(`sink ${config.name}: HEC ackId ${ackId} not indexed within ${config.ack.timeoutMs} ms`, { code: 'SINK_UNAVAILABLE', retryable: true, details: { sink: config.name, ackId } });
    },
    close: async () => {},
  };
}
