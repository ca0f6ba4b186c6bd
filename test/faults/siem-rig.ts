import { createAdmin, createProducer, type BusProducer, type IncomingMessage } from '@atlas-audit/shared/kafka';
import { MongoClient } from 'mongodb';
import type { SiemAlert } from '@atlas-audit/siem/core/alert-view';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { sampleAlert } from '../../services/siem/test/fixtures.ts';
import { startWebhook, type WebhookReceiver } from '../integration/siem-receivers.ts';
import { startFeed, type Feed } from './feed.ts';
import { collectTopic } from '../integration/ingest-harness.ts';

/**
 * The SIEM forwarder's fault-matrix rig: its own alerts, retry and DLQ topics and consumer
 * groups, a real HMAC-checking webhook receiver on loopback that answers after a latency, the
 * service's env (one webhook sink), distinct alerts fed in waves while the test runs, and the
 * measurement of what the receiver got: ids never delivered, ids delivered more than once.
 */

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'flt-siem', ssl: false };
const HMAC_SECRET = 'whsec-fault-matrix-7c1e9a';

export type DeliveryMeasure = { expected: number; deliveries: number; distinct: number; lost: number; redelivered: number; unexpected: number };

export type SiemRig = {
  env: Record<string, string>;
  webhook: WebhookReceiver;
  expected: ReadonlySet<string>;
  /** Produces the alerts in waves of `wave` every `pauseMs`. */
  feed(wave: number, pauseMs: number): Feed;
  /** Alert ids in the order the receiver got them (one entry per delivery). */
  delivered(): string[];
  measure(): DeliveryMeasure;
  /** Records the run dead-lettered (read_committed from the DLQ topic). */
  dlq: IncomingMessage[];
  close(): Promise<void>;
};

/** Creates topics, a webhook receiver and `count` distinct alerts for one SIEM fault test; `close` removes them. */
export async function startSiemRig(name: string, count: number, opts: { batchMax: number; responseDelayMs: number }): Promise<SiemRig> {
  const suffix = uniqueSuffix();
  const topics = { alerts: `flt-${name}-alerts-${suffix}`, retry: `flt-${name}-retry-${suffix}`, dlq: `flt-${name}-dlq-${suffix}` };
  const admin = await createAdmin(kafka);
  await admin.createTopics([
    { topic: topics.alerts, partitions: 3 },
    { topic: topics.retry, partitions: 1 },
    { topic: topics.dlq, partitions: 1 },
  ]);
  const webhook = await startWebhook(HMAC_SECRET, 0, { responseDelayMs: opts.responseDelayMs });
  const database = `flt_${name.replace(/-/g, '_')}_${suffix}`;
  const tag = suffix.slice(0, 6);
  const alerts: SiemAlert[] = Array.from({ length: count }, (_, i) =>
    sampleAlert({ id: `${tag}${i.toString(16).padStart(6, '0')}`.padEnd(64, '0'), message: `fault alert ${i}`, user: { name: `svc_${i % 17}`, domain: 'admin' }, source: { ip: `203.0.113.${(i % 250) + 1}` } }),
  );
  const expected = new Set(alerts.map((a) => a.event.id));
  const producer: BusProducer = await createProducer(kafka);
  const feeds: Feed[] = [];
  const dlqReader = await collectTopic(topics.dlq);
  const delivered = (): string[] => webhook.bodies.flat().map((a) => (a as SiemAlert).event.id);
  const sinks = JSON.stringify([{ type: 'webhook', name: 'hook', url: webhook.url, hmacSecret: HMAC_SECRET, batchMax: opts.batchMax, requestTimeoutMs: 5_000, parkAfterMs: 20_000, retryBaseDelayMs: 100, retryMaxDelayMs: 1_000, redriveBaseDelayMs: 500, redriveMaxDelayMs: 3_000 }]);
  return {
    dlq: dlqReader.messages,
    env: {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      MONGODB_URI: endpoints.mongodbUri,
      MONGODB_DATABASE: database,
      SIEM_ALERTS_TOPIC: topics.alerts,
      SIEM_RETRY_TOPIC: topics.retry,
      SIEM_DLQ_TOPIC: topics.dlq,
      SIEM_GROUP_ID: `flt-${name}-${suffix}`,
      SIEM_REDRIVE_GROUP_ID: `flt-${name}-redrive-${suffix}`,
      SIEM_SINKS: sinks,
    },
    webhook,
    expected,
    feed(wave, pauseMs) {
      const sends: Array<() => Promise<void>> = [];
      for (let i = 0; i < alerts.length; i += wave) {
        const slice = alerts.slice(i, i + wave);
        sends.push(() => producer.send(topics.alerts, slice.map((a) => ({ key: a.event.id, value: JSON.stringify(a) }))));
      }
      const feed = startFeed(sends, pauseMs);
      feeds.push(feed);
      return feed;
    },
    delivered,
    measure() {
      const ids = delivered();
      const times = new Map<string, number>();
      for (const id of ids) times.set(id, (times.get(id) ?? 0) + 1);
      return {
        expected: expected.size,
        deliveries: ids.length,
        distinct: times.size,
        lost: [...expected].filter((id) => !times.has(id)).length,
        redelivered: [...times.entries()].filter(([id, n]) => n > 1 && expected.has(id)).length,
        unexpected: [...times.keys()].filter((id) => !expected.has(id)).length,
      };
    },
    async close() {
      for (const f of feeds) await f.done.catch(() => undefined);
      await dlqReader.close();
      await producer.close();
      await webhook.close();
      await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
      await admin.close();
      const mongo = new MongoClient(endpoints.mongodbUri);
      await mongo.connect();
      await mongo.db(database).dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
