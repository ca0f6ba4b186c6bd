import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createAdmin, createProducer, type BusProducer, type IncomingMessage, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import type { Alert } from '@atlas-audit/shared/schema/alert';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { harness, perPrincipalRulesYaml } from '../../services/detect/test/fixtures.ts';
import { mixedStream } from '../../services/detect/test/stream.ts';
import { collectTopic } from '../integration/ingest-harness.ts';
import { startFeed, type Feed } from './feed.ts';

/**
 * The detect service's fault-matrix rig: its own topics, state database and rules file, a
 * deterministic event stream (per-principal rules, as in test/integration/detect.test.ts) fed in
 * order while the test runs, the alerts the engine raises for it offline, the service's env, and
 * the measurement of the alerts topic by alert id.
 */

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'flt-detect', ssl: false };

const rulesYaml = perPrincipalRulesYaml;

export type AlertMeasure = { expected: number; produced: number; distinct: number; lost: number; duplicateAlerts: number; unexpected: number };

export type DetectRig = {
  env: Record<string, string>;
  events: number;
  expected: ReadonlySet<string>;
  /** The alerts the engine raises offline for the stream. */
  expectedAlerts: readonly Alert[];
  alerts: IncomingMessage[];
  dlq: IncomingMessage[];
  /** Feeds the stream in order, `slice` events every `pauseMs`. */
  feed(slice: number, pauseMs: number): Feed;
  measure(): AlertMeasure;
  /** Events not yet committed by the detect group (high watermark − committed offset, all partitions). */
  lag(): Promise<number>;
  /** Rule, timestamp and subject of expected alerts not (yet) on the alerts topic. */
  missing(): Array<[string, string, string]>;
  close(): Promise<void>;
};

const keyOf = (e: AtlasEvent): string => `${e.cloud.project?.id ?? '-'}:${e.user?.name ?? ''}`;

/** Creates topics, the state database and the rules file for one detect fault test; `close` removes them. */
export async function startDetectRig(name: string): Promise<DetectRig> {
  const suffix = uniqueSuffix();
  const topics = { events: `flt-${name}-events-${suffix}`, alerts: `flt-${name}-alerts-${suffix}`, dlq: `flt-${name}-dlq-${suffix}` };
  const database = `flt_${name.replace(/-/g, '_')}_${suffix}`;
  const admin = await createAdmin(kafka);
  await admin.createTopics([{ topic: topics.events, partitions: 4 }, { topic: topics.alerts, partitions: 2 }, { topic: topics.dlq, partitions: 1 }]);
  const dir = mkdtempSync(join(tmpdir(), 'flt-detect-'));
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, rulesYaml);
  const stream = mixedStream(11, 10).filter((e) => e.event.dataset === 'atlas.access' || (e.event.dataset === 'atlas.audit' && (e.event.action === 'dropCollection' || e.event.action === 'find')));
  const expectedAlerts = harness(rulesYaml).run(stream);
  const expected = new Set(expectedAlerts.map((a) => a.event.id));
  const alertsReader = await collectTopic(topics.alerts);
  const dlqReader = await collectTopic(topics.dlq);
  const producer: BusProducer = await createProducer(kafka);
  const feeds: Feed[] = [];
  const groupId = `flt-${name}-${suffix}`;
  const ids = (): string[] => alertsReader.messages.map((m) => (JSON.parse(String(m.value)) as { event: { id: string } }).event.id);
  return {
    env: {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      MONGODB_URI: endpoints.mongodbUri,
      MONGODB_DATABASE: database,
      KAFKA_TOPIC_EVENTS: topics.events,
      KAFKA_TOPIC_ALERTS: topics.alerts,
      KAFKA_TOPIC_DLQ: topics.dlq,
      DETECT_GROUP_ID: groupId,
      DETECT_RULES_FILE: rulesFile,
      DETECT_SESSION_TIMEOUT_MS: '6000',
    },
    events: stream.length,
    expected,
    expectedAlerts,
    alerts: alertsReader.messages,
    dlq: dlqReader.messages,
    feed(slice, pauseMs) {
      const messages: OutgoingMessage[] = stream.map((e) => ({ key: keyOf(e), value: JSON.stringify(e) }));
      const sends: Array<() => Promise<void>> = [];
      for (let i = 0; i < messages.length; i += slice) {
        const part = messages.slice(i, i + slice);
        sends.push(() => producer.send(topics.events, part));
      }
      const feed = startFeed(sends, pauseMs);
      feeds.push(feed);
      return feed;
    },
    measure() {
      const all = ids();
      const counts = new Map<string, number>();
      for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
      return {
        expected: expected.size,
        produced: all.length,
        distinct: counts.size,
        lost: [...expected].filter((id) => !counts.has(id)).length,
        duplicateAlerts: [...counts.values()].filter((n) => n > 1).length + [...counts.keys()].filter((id) => !expected.has(id)).length,
        unexpected: [...counts.keys()].filter((id) => !expected.has(id)).length,
      };
    },
    lag: () => admin.lag(groupId, topics.events),
    missing() {
      const got = new Set(ids());
      return expectedAlerts.filter((a) => !got.has(a.event.id)).map((a) => [a.rule.id, a['@timestamp'], a.atlas.alert.subject]);
    },
    async close() {
      for (const f of feeds) await f.done.catch(() => undefined);
      await producer.close();
      await alertsReader.close();
      await dlqReader.close();
      await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
      await admin.close();
      rmSync(dir, { recursive: true, force: true });
      const mongo = new MongoClient(endpoints.mongodbUri);
      await mongo.connect();
      await mongo.db(database).dropDatabase().catch(() => undefined);
      await mongo.close();
    },
  };
}
