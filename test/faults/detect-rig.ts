import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { createAdmin, createConsumer, createProducer, type BusConsumer, type BusProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { indexLayout, type IndexLayout } from '@atlas-audit/shared/es/index-names';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { alertSchema } from '@atlas-audit/shared/schema/alert';
import { harness, perPrincipalRulesYaml } from '../../services/detect/test/fixtures.ts';
import { mixedStream } from '../../services/detect/test/stream.ts';

// A detection pipeline on the real stack for the fault matrix: its own topics, MongoDB database
// and Elasticsearch namespace, a reader of the alerts topic, and the two references the faults are
// judged against: the alerts and the per-partition rule state a fault-free detect would end with,
// computed offline by the engine over each partition's records in offset order.

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'faults-detect', ssl: false };
export const STATE_COLLECTION = 'detect_state';
export const PARTITIONS = 4;

export const rulesYaml = perPrincipalRulesYaml;

/** The mixed 60-day stream (logins, failure bursts, drops), keyed `project:principal` as ingest keys it. */
export function streamOf(seed: number): { events: AtlasEvent[]; messages: OutgoingMessage[] } {
  const events = mixedStream(seed, 10).filter((e) => e.event.dataset === 'atlas.access' || (e.event.dataset === 'atlas.audit' && (e.event.action === 'dropCollection' || e.event.action === 'find')));
  return { events, messages: events.map((e) => ({ key: `${e.cloud.project?.id ?? '-'}:${e.user?.name ?? ''}`, value: JSON.stringify(e) })) };
}

export type DetectRig = {
  topics: { events: string; alerts: string; dlq: string; idle: string };
  database: string;
  layout: IndexLayout;
  detectGroup: string;
  indexerGroup: string;
  detectEnv: Record<string, string>;
  indexerEnv: Record<string, string>;
  es: Client;
  mongo: MongoClient;
  producer: BusProducer;
  /** Alert id → times it appeared on the alerts topic (a record whose key is not its id counts under `invalid`). */
  alertsOnTopic: Map<string, number>;
  invalidAlerts: string[];
  close(): Promise<void>;
};

/** Creates topics (events with PARTITIONS partitions), a database, an ES namespace and a rules file, and starts reading the alerts topic. */
export async function createDetectRig(name: string): Promise<DetectRig> {
  const suffix = uniqueSuffix();
  // `idle` stands in for the events topic of the indexer: these faults judge alerts, and 60 days of events would make 100 daily indices.
  const topics = { events: `fault-${name}-events-${suffix}`, alerts: `fault-${name}-alerts-${suffix}`, dlq: `fault-${name}-dlq-${suffix}`, idle: `fault-${name}-idle-${suffix}` };
  const database = `fault_${name}_${suffix}`;
  const layout = indexLayout(`f${suffix}`);
  const cleanups: Array<() => Promise<unknown>> = [];
  const admin = await createAdmin(kafka);
  await admin.createTopics([{ topic: topics.events, partitions: PARTITIONS }, { topic: topics.alerts, partitions: 2 }, { topic: topics.dlq, partitions: 1 }, { topic: topics.idle, partitions: 1 }]);
  await admin.close();
  cleanups.push(async () => {
    const a = await createAdmin(kafka);
    await a.deleteTopics(Object.values(topics));
    await a.close();
  });
  const es = new Client({ node: endpoints.elasticsearchUrl });
  cleanups.push(async () => {
    await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
    const p = layout.templatePrefix;
    for (const n of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name: n }, { ignore: [404] });
    for (const n of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name: n }, { ignore: [404] });
    await es.close();
  });
  const mongo = new MongoClient(endpoints.mongodbUri, { serverSelectionTimeoutMS: 30_000 });
  await mongo.connect();
  cleanups.push(async () => {
    await mongo.db(database).dropDatabase();
    await mongo.close();
  });
  const dir = mkdtempSync(join(tmpdir(), `fault-${name}-`));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, rulesYaml);

  const alertsOnTopic = new Map<string, number>();
  const invalidAlerts: string[] = [];
  const reader: BusConsumer = await createConsumer(kafka, `fault-${name}-reader-${suffix}`);
  cleanups.push(() => reader.close());
  await reader.subscribe([topics.alerts], true);
  await reader.run({
    eachBatch: async (batch) => {
      for (const m of batch.messages) {
        const alert = alertSchema.safeParse(JSON.parse(String(m.value)));
        if (!alert.success || alert.data.event.id !== m.key) invalidAlerts.push(String(m.key));
        else alertsOnTopic.set(alert.data.event.id, (alertsOnTopic.get(alert.data.event.id) ?? 0) + 1);
      }
    },
  });
  const producer = await createProducer(kafka);
  cleanups.push(() => producer.close());

  const common = { KAFKA_BROKERS: endpoints.kafkaBrokers.join(','), KAFKA_TOPIC_ALERTS: topics.alerts, KAFKA_TOPIC_DLQ: topics.dlq };
  const detectGroup = `fault-${name}-detect-${suffix}`;
  const indexerGroup = `fault-${name}-indexer-${suffix}`;
  return {
    topics,
    database,
    layout,
    detectGroup,
    indexerGroup,
    detectEnv: { ...common, KAFKA_TOPIC_EVENTS: topics.events, MONGODB_URI: endpoints.mongodbUri, MONGODB_DATABASE: database, DETECT_GROUP_ID: detectGroup, DETECT_RULES_FILE: rulesFile, DETECT_STATE_COLLECTION: STATE_COLLECTION, DETECT_SESSION_TIMEOUT_MS: '6000' },
    indexerEnv: { ...common, KAFKA_TOPIC_EVENTS: topics.idle, ELASTICSEARCH_URL: endpoints.elasticsearchUrl, ELASTICSEARCH_NAMESPACE: layout.namespace, INDEXER_GROUP_ID: indexerGroup },
    es,
    mongo,
    producer,
    alertsOnTopic,
    invalidAlerts,
    async close() {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
}

/**
 * Sends `messages` in slices of `sliceSize` with `pauseMs` between them, so faults land while
 * events flow. `sent()` counts what the broker acknowledged; `flush()` drops the pauses (the
 * remainder goes out at once); `done` resolves when everything is acknowledged.
 */
export function sendPaced(producer: BusProducer, topic: string, messages: readonly OutgoingMessage[], sliceSize: number, pauseMs: number): { sent(): number; flush(): void; done: Promise<void> } {
  let sent = 0;
  let paced = true;
  const done = (async () => {
    for (let i = 0; i < messages.length; i += sliceSize) {
      const slice = messages.slice(i, i + sliceSize);
      await waitFor(async () => {
        await producer.send(topic, slice);
        return true;
      }, 60_000, `slice ${i} of ${topic} acknowledged`, 500);
      sent += slice.length;
      if (paced) await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  done.catch(() => undefined);
  return { sent: () => sent, flush: () => (paced = false), done };
}

const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

export type Reference = { alerts: Set<string>; state: Map<string, string>; records: number };

/**
 * What a fault-free detect ends with: reads every record of the events topic (`count` of them),
 * then runs the engine over each partition's records in offset order. State entries are keyed
 * `partition\0namespace\0key` like the MongoDB backend, values in canonical JSON.
 */
export async function referenceRun(rig: DetectRig, count: number): Promise<Reference> {
  const byPartition = new Map<number, Array<{ offset: bigint; event: AtlasEvent }>>();
  let read = 0;
  const reader = await createConsumer(kafka, `${rig.detectGroup}-reference`);
  try {
    await reader.subscribe([rig.topics.events], true);
    await reader.run({
      eachBatch: async (batch) => {
        const list = byPartition.get(batch.partition) ?? [];
        for (const m of batch.messages) list.push({ offset: BigInt(m.offset), event: JSON.parse(String(m.value)) as AtlasEvent });
        byPartition.set(batch.partition, list);
        read += batch.messages.length;
      },
    });
    await waitFor(async () => (read >= count ? true : undefined), 120_000, `the reference reader to read ${count} records of ${rig.topics.events}`, 200);
  } finally {
    await reader.close();
  }
  const alerts = new Set<string>();
  const state = new Map<string, string>();
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    const h = harness(rulesYaml);
    for (const a of h.run(list.map((r) => r.event))) alerts.add(a.event.id);
    for (const e of h.state.entries()) state.set(`${partition}\u0000${e.namespace}\u0000${e.key}`, canonical(e.value));
  }
  return { alerts, state, records: read };
}

/** The alert ids the engine raises over the whole stream in time order, whatever the partitioning (must equal the reference's). */
export function offlineAlerts(events: readonly AtlasEvent[]): Set<string> {
  return new Set(harness(rulesYaml).run(events).map((a) => a.event.id));
}

/** The rule state detect persisted, keyed like `referenceRun`'s. */
export async function persistedState(rig: DetectRig): Promise<Map<string, string>> {
  const docs = await rig.mongo.db(rig.database).collection<{ _id: string; v: string }>(STATE_COLLECTION).find({}, { projection: { v: 1 } }).toArray();
  return new Map(docs.map((d) => [d._id, canonical(JSON.parse(d.v))]));
}

/** Entries present on one side only or with different values (a counter, first/last seen or id set counted twice shows here). */
export function stateDrift(reference: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): { drift: number; sample: string[] } {
  const differing: string[] = [];
  for (const [k, v] of reference) if (actual.get(k) !== v) differing.push(k);
  for (const k of actual.keys()) if (!reference.has(k)) differing.push(k);
  return { drift: differing.length, sample: differing.slice(0, 3).map((k) => `${k.replaceAll('\u0000', '|')}: want ${reference.get(k)?.slice(0, 200)} got ${actual.get(k)?.slice(0, 200)}`) };
}

/** Every `event.id` in the indices matching `pattern` with its document count (exact: a terms aggregation). */
export async function idCounts(es: Client, pattern: string): Promise<Map<string, number>> {
  await es.indices.refresh({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
  const res = await es.search({ index: pattern, size: 0, ignore_unavailable: true, allow_no_indices: true, aggs: { ids: { terms: { field: 'event.id', size: 60_000, shard_size: 60_000 } } } });
  const agg = res.aggregations?.['ids'] as { buckets: Array<{ key: string; doc_count: number }> } | undefined;
  return new Map((agg?.buckets ?? []).map((b) => [b.key, b.doc_count]));
}

/** Sum over partitions of (high watermark − committed offset) of `group` on `topic`. */
export async function groupLag(group: string, topic: string): Promise<number> {
  const probe = await lagProbe(group, topic);
  try {
    return await probe.lag();
  } finally {
    await probe.close();
  }
}

/** A connected admin client asking for the lag of `group` on `topic` as often as needed (a poll every few ms catches short backlogs). */
export async function lagProbe(group: string, topic: string): Promise<{ lag(): Promise<number>; close(): Promise<void> }> {
  const admin = await createAdmin(kafka);
  return { lag: () => admin.lag(group, topic), close: () => admin.close() };
}

export type AlertCheck = { expected: number; lost: number; duplicated: number; duplicateAlerts: number; notes: string };

/**
 * Judges the alerts: lost = expected ids missing from the alerts index or topic; duplicated = index
 * documents beyond one per id; duplicateAlerts = distinct ids outside the expected set (on the
 * topic or in the index) plus ids stored more than once. Same-id redeliveries on the topic are
 * the at-least-once boundary the sinks dedupe on: counted in the notes, not as duplicates.
 */
export async function checkAlerts(rig: DetectRig, expected: ReadonlySet<string>): Promise<AlertCheck> {
  const inIndex = await idCounts(rig.es, rig.layout.alertsPattern);
  const lost = [...expected].filter((id) => !inIndex.has(id) || !rig.alertsOnTopic.has(id)).length;
  const stored = [...inIndex.values()].reduce((a, b) => a + b, 0);
  const duplicated = stored - inIndex.size;
  const outside = new Set([...inIndex.keys(), ...rig.alertsOnTopic.keys()].filter((id) => !expected.has(id)));
  const twice = [...inIndex].filter(([, n]) => n > 1).length;
  const redelivered = [...rig.alertsOnTopic.values()].reduce((a, n) => a + n - 1, 0);
  return {
    expected: expected.size,
    lost,
    duplicated,
    duplicateAlerts: outside.size + twice + rig.invalidAlerts.length,
    notes: `alerts topic: ${rig.alertsOnTopic.size} ids, ${redelivered} same-id redeliveries (at-least-once, deduped by _id)`,
  };
}

/**
 * Partitions whose persisted state is ahead of the group's committed offset: a batch whose state
 * was saved but whose offsets were not committed (the records are evaluated again on restart).
 */
export async function savedPastCommit(rig: DetectRig): Promise<number[]> {
  const admin = new Kafka({ brokers: [...endpoints.kafkaBrokers], clientId: 'faults-detect-offsets', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId: rig.detectGroup, topics: [rig.topics.events] });
    const committed = new Map((topic?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const docs = await rig.mongo.db(rig.database).collection<{ p: number; o: number }>(STATE_COLLECTION).find({}, { projection: { p: 1, o: 1 } }).toArray();
    const saved = new Map<number, number>();
    for (const d of docs) saved.set(d.p, Math.max(saved.get(d.p) ?? -1, d.o));
    return [...saved].filter(([p, o]) => o >= (committed.get(p) ?? -1)).map(([p]) => p).sort();
  } finally {
    await admin.disconnect();
  }
}
