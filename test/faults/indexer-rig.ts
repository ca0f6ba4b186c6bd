import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { createAdmin, createProducer, type BusProducer, type IncomingMessage, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { indexLayout, type IndexLayout } from '@atlas-audit/shared/es/index-names';
import { scenarioData } from '@atlas-audit/dashboards/scenario-data';
import { endpoints, uniqueSuffix } from '@atlas-audit/test/env';
import { startFeed, type Feed } from './feed.ts';
import { collectTopic } from '../integration/ingest-harness.ts';

/**
 * The indexer's fault-matrix rig: its own topics and index namespace, the simulator scenario
 * `test-small` (first two hours) as ingest and detect would produce it (events and alerts,
 * computed offline), a producer that feeds them in slices while the test runs, the indexer's
 * env, and the measurement of the indices by id (documents vs distinct ids vs the produced set).
 */

const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'flt-indexer', ssl: false };

export type IdMeasure = { expected: number; documents: number; distinct: number; lost: number; duplicated: number; unexpected: number };

export type IndexerRig = {
  env: Record<string, string>;
  layout: IndexLayout;
  expectedEvents: ReadonlySet<string>;
  expectedAlerts: ReadonlySet<string>;
  /** Starts feeding events and alerts (interleaved) in slices of `slice` every `pauseMs`. */
  feed(slice: number, pauseMs: number): Feed;
  /** Documents in the events and alerts indices (refreshed first). */
  count(): Promise<number>;
  /** Exact per-id counts over both indices against the produced ids. */
  measure(): Promise<IdMeasure>;
  /** Records the run dead-lettered (read_committed from the DLQ topic). */
  dlq: IncomingMessage[];
  close(): Promise<void>;
};

function messagesOf(docs: ReadonlyArray<{ event: { id: string }; cloud?: { project?: { id: string } }; user?: { name: string } }>): OutgoingMessage[] {
  return docs.map((d) => ({ key: `${d.cloud?.project?.id ?? '-'}:${d.user?.name ?? '-'}`, value: JSON.stringify(d) }));
}

/** Creates topics and the namespace for one indexer fault test; `close` removes them. */
export async function startIndexerRig(name: string): Promise<IndexerRig> {
  const suffix = uniqueSuffix();
  const topics = { events: `flt-${name}-events-${suffix}`, alerts: `flt-${name}-alerts-${suffix}`, dlq: `flt-${name}-dlq-${suffix}` };
  const namespace = `f${suffix}`;
  const layout = indexLayout(namespace);
  const admin = await createAdmin(kafka);
  await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
  const es = new Client({ node: endpoints.elasticsearchUrl });
  const yaml = readFileSync(new URL('../../services/atlas-sim/scenarios/test-small.yaml', import.meta.url), 'utf8');
  const scenario = scenarioData(yaml, [{ startMs: 0, endMs: 2 * 3_600_000 }], Date.now());
  if (!scenario.ok) throw new Error(`scenario data: ${scenario.reason}`);
  const { events, alerts } = scenario.value;
  const expectedEvents = new Set(events.map((e) => e.event.id));
  const expectedAlerts = new Set(alerts.map((a) => a.event.id));
  const producer: BusProducer = await createProducer(kafka);
  const feeds: Feed[] = [];
  const dlqReader = await collectTopic(topics.dlq);
  const pattern = `${layout.eventsPattern},${layout.alertsPattern}`;
  const count = async (): Promise<number> => {
    await es.indices.refresh({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
    return (await es.count({ index: pattern, ignore_unavailable: true, allow_no_indices: true })).count;
  };
  return {
    dlq: dlqReader.messages,
    env: {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      ELASTICSEARCH_URL: endpoints.elasticsearchUrl,
      ELASTICSEARCH_NAMESPACE: namespace,
      KAFKA_TOPIC_EVENTS: topics.events,
      KAFKA_TOPIC_ALERTS: topics.alerts,
      KAFKA_TOPIC_DLQ: topics.dlq,
      INDEXER_GROUP_ID: `flt-${name}-${suffix}`,
    },
    layout,
    expectedEvents,
    expectedAlerts,
    feed(slice, pauseMs) {
      const eventMessages = messagesOf(events);
      const alertMessages = messagesOf(alerts);
      const perSlice = Math.max(1, Math.ceil((alertMessages.length * slice) / eventMessages.length));
      const sends: Array<() => Promise<void>> = [];
      for (let i = 0, a = 0; i < eventMessages.length; i += slice, a += perSlice) {
        const ev = eventMessages.slice(i, i + slice);
        const al = alertMessages.slice(a, a + perSlice);
        sends.push(async () => {
          await producer.send(topics.events, ev);
          if (al.length > 0) await producer.send(topics.alerts, al);
        });
      }
      const feed = startFeed(sends, pauseMs);
      feeds.push(feed);
      return feed;
    },
    count,
    async measure() {
      await es.indices.refresh({ index: pattern, ignore_unavailable: true, allow_no_indices: true });
      const res = await es.search({ index: pattern, size: 0, track_total_hits: true, aggs: { ids: { terms: { field: 'event.id', size: 60_000, shard_size: 60_000 } } } });
      const buckets = (res.aggregations?.['ids'] as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
      const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
      const seen = new Set(buckets.map((b) => b.key));
      const wanted = new Set([...expectedEvents, ...expectedAlerts]);
      return {
        expected: wanted.size,
        documents: total,
        distinct: seen.size,
        lost: [...wanted].filter((id) => !seen.has(id)).length,
        duplicated: total - seen.size,
        unexpected: [...seen].filter((id) => !wanted.has(id)).length,
      };
    },
    async close() {
      for (const f of feeds) await f.done.catch(() => undefined);
      await dlqReader.close();
      await producer.close();
      await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
      await admin.close();
      await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
      const p = layout.templatePrefix;
      for (const t of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name: t }, { ignore: [404] }).catch(() => undefined);
      for (const t of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name: t }, { ignore: [404] }).catch(() => undefined);
      await es.close();
    },
  };
}
