import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { createAdmin, createProducer, type BusProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import { scenarioData } from '@atlas-audit/dashboards/scenario-data';
import { readFileSync } from 'node:fs';

// Kafka → indexer (spawned as a real child process) → Elasticsearch: counts equal, no
// duplicate ids, poison records dead-lettered, and the same after a SIGKILL mid-stream.
const mainPath = fileURLToPath(new URL('../../services/indexer/src/main.ts', import.meta.url));
const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'indexer-it', ssl: false };
const es = new Client({ node: endpoints.elasticsearchUrl });
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await es.close();
});

type Setup = { suffix: string; topics: { events: string; alerts: string; dlq: string }; namespace: string; groupId: string };

async function setup(): Promise<Setup> {
  const suffix = uniqueSuffix();
  const topics = { events: `it-events-${suffix}`, alerts: `it-alerts-${suffix}`, dlq: `it-dlq-${suffix}` };
  const admin = await createAdmin(kafka);
  await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
  await admin.close();
  const namespace = `t${suffix}`;
  cleanups.push(async () => {
    const a = await createAdmin(kafka);
    await a.deleteTopics(Object.values(topics));
    await a.close();
  });
  cleanups.push(async () => {
    const layout = indexLayout(namespace);
    await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
    const p = layout.templatePrefix;
    for (const name of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name }, { ignore: [404] });
    for (const name of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
  });
  return { suffix, topics, namespace, groupId: `it-indexer-${suffix}` };
}

type Running = { child: ChildProcessWithoutNullStreams; url: Promise<string>; exited: Promise<number | null>; logs: string[] };

function startIndexer(s: Setup): Running {
  const child = spawn(process.execPath, [mainPath], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      ELASTICSEARCH_URL: endpoints.elasticsearchUrl,
      ELASTICSEARCH_NAMESPACE: s.namespace,
      KAFKA_TOPIC_EVENTS: s.topics.events,
      KAFKA_TOPIC_ALERTS: s.topics.alerts,
      KAFKA_TOPIC_DLQ: s.topics.dlq,
      INDEXER_GROUP_ID: s.groupId,
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    },
  });
  const logs: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'indexer started' && entry.url) resolve(entry.url);
      } catch {
        // not JSON: kept in logs
      }
    });
    child.once('exit', (code) => reject(new Error(`indexer exited with ${code} before starting: ${logs.slice(-5).join('\n')}`)));
  });
  url.catch(() => undefined);
  child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, url, exited, logs };
}

async function count(index: string): Promise<number> {
  try {
    return (await es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
  } catch {
    return 0;
  }
}

/** Exact: every `event.id` in `index` with how many documents carry it (a terms aggregation over all of them; cardinality is approximate). */
async function idCounts(index: string): Promise<Map<string, number>> {
  const res = await es.search({ index, size: 0, aggs: { ids: { terms: { field: 'event.id', size: 60_000, shard_size: 60_000 } } } });
  return new Map((res.aggregations?.['ids'] as { buckets: Array<{ key: string; doc_count: number }> }).buckets.map((b) => [b.key, b.doc_count]));
}

/** Asserts that `index` holds exactly one document per expected id and nothing else. */
async function assertExactlyOnce(index: string, expected: ReadonlyArray<{ event: { id: string } }>): Promise<void> {
  const counts = await idCounts(index);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(duplicated, [], 'no id is stored twice');
  const wanted = new Set(expected.map((d) => d.event.id));
  assert.equal(wanted.size, expected.length, 'the produced ids are distinct');
  assert.deepEqual([...wanted].filter((id) => !counts.has(id)).slice(0, 5), [], 'no produced id is missing');
  assert.deepEqual([...counts.keys()].filter((id) => !wanted.has(id)).slice(0, 5), [], 'nothing else is stored');
}

function messagesOf(docs: ReadonlyArray<{ event: { id: string }; cloud?: { project?: { id: string } }; user?: { name: string } }>): OutgoingMessage[] {
  return docs.map((d) => ({ key: `${d.cloud?.project?.id ?? '-'}:${d.user?.name ?? '-'}`, value: JSON.stringify(d) }));
}

/** Sends in slices that stay under the broker's maximum request size. */
async function sendAll(producer: BusProducer, topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 250) await producer.send(topic, messages.slice(i, i + 250));
}

async function metric(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

test('a simulator scenario\'s events and alerts flow Kafka → indexer → Elasticsearch once each; replays are 409s; poison records reach the DLQ with their reason', { timeout: 180_000 }, async () => {
  const s = await setup();
  const layout = indexLayout(s.namespace);
  // atlas-sim test-small, first two hours, as ingest would produce it, alerts from the detection engine.
  const yaml = readFileSync(new URL('../../services/atlas-sim/scenarios/test-small.yaml', import.meta.url), 'utf8');
  const scenario = scenarioData(yaml, [{ startMs: 0, endMs: 2 * 3_600_000 }], Date.now());
  assert.ok(scenario.ok);
  const data = scenario.value;
  assert.ok(data.events.length > 5_000 && data.alerts.length > 0, `${data.events.length} events, ${data.alerts.length} alerts`);
  const replayed = data.events.slice(0, 300);
  const unknownField = { ...data.events[0], event: { ...data.events[0]?.event, id: 'f'.repeat(64) }, not_in_schema: true };
  const producer = await createProducer(kafka);
  try {
    await sendAll(producer, s.topics.events, messagesOf(data.events));
    await sendAll(producer, s.topics.events, messagesOf(replayed));
    await sendAll(producer, s.topics.alerts, messagesOf(data.alerts));
    // The third opens like a serialised event, so the indexer leaves it to Elasticsearch's parser.
    const cutOff = JSON.stringify({ ...data.events[1], event: { ...data.events[1]?.event, id: 'e'.repeat(64) } }).slice(0, 160);
    await producer.send(s.topics.events, [{ key: 'poison', value: '{"truncated":' }, { key: 'poison', value: JSON.stringify(unknownField) }, { key: 'poison', value: cutOff }]);
  } finally {
    await producer.close();
  }

  const indexer = startIndexer(s);
  const url = await indexer.url;
  await waitFor(async () => ((await count(layout.eventsPattern)) >= data.events.length && (await count(layout.alertsPattern)) >= data.alerts.length && (await count(layout.dlqPattern)) >= 3 ? true : undefined), 90_000, 'all documents indexed');
  // Settle: nothing more may arrive (a duplicate would raise the count).
  await waitFor(async () => ((await metric(url, 'atlas_indexer_documents_total', 'outcome="duplicate"')) >= replayed.length ? true : undefined), 30_000, 'replays counted as duplicates');
  await es.indices.refresh({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}` });

  assert.equal(await count(layout.eventsPattern), data.events.length);
  await assertExactlyOnce(layout.eventsPattern, data.events);
  assert.equal(await count(layout.alertsPattern), data.alerts.length);
  await assertExactlyOnce(layout.alertsPattern, data.alerts);
  assert.equal(await count(layout.dlqPattern), 3);
  const dlq = await es.search<{ reason: string; origin: { source: string; endpoint: string } }>({ index: layout.dlqPattern, size: 10 });
  const reasons = dlq.hits.hits.map((h) => h._source?.reason ?? '').sort();
  assert.match(reasons.join('\n'), /invalid JSON/);
  assert.match(reasons.join('\n'), /strict_dynamic_mapping_exception.*not_in_schema/);
  assert.match(reasons.join('\n'), /document_parsing_exception/);
  assert.ok(dlq.hits.hits.every((h) => h._source?.origin.endpoint === s.topics.events));
  const day = data.events[0]?.['@timestamp'].slice(0, 10).replaceAll('-', '.');
  assert.ok((await count(`${layout.eventsPrefix}-${day}`)) > 0, 'events land in the daily index of their own timestamp');
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  assert.equal(await metric(url, 'atlas_indexer_documents_total', 'outcome="dlq"'), 3);

  indexer.child.kill('SIGTERM');
  assert.equal(await indexer.exited, 0, 'SIGTERM drains and exits 0');
});

test('an indexer killed with SIGKILL mid-stream and restarted leaves every event exactly once', async () => {
  const s = await setup();
  const layout = indexLayout(s.namespace);
  const data = generateSampleData({ endMs: Date.now(), hours: 24, seed: 12, auditPerHour: 120 });
  const producer = await createProducer(kafka);
  const messages = messagesOf(data.events);
  const first = startIndexer(s);
  await first.url;
  // Produce while the indexer runs, in paced slices, so the kill lands mid-stream.
  const producing = (async () => {
    for (let i = 0; i < messages.length; i += 250) {
      await producer.send(s.topics.events, messages.slice(i, i + 250));
      await new Promise((r) => setTimeout(r, 50));
    }
  })().finally(() => producer.close());
  await waitFor(async () => ((await count(layout.eventsPattern)) >= messages.length / 4 ? true : undefined), 60_000, 'a quarter indexed');
  first.child.kill('SIGKILL');
  assert.equal(await first.exited, null, 'killed by signal');
  const before = await count(layout.eventsPattern);
  assert.ok(before < messages.length, `the kill came mid-stream (${before} of ${messages.length})`);
  await producing;

  const second = startIndexer(s);
  await second.url;
  await waitFor(async () => ((await count(layout.eventsPattern)) >= messages.length ? true : undefined), 120_000, 'every event indexed after the restart');
  await es.indices.refresh({ index: layout.eventsPattern });
  assert.equal(await count(layout.eventsPattern), data.events.length);
  await assertExactlyOnce(layout.eventsPattern, data.events);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});
