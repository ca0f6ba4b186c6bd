import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { createAdmin, createProducer, type BusProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { indexLayout, type IndexLayout } from '@atlas-audit/shared/es/index-names';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import { reportFault } from './report.ts';
import { metricSum, startService, type ServiceProcess } from './service-process.ts';
import { bulkRejectingProxy, switchableTcpProxy } from './es-proxies.ts';
import { censusOf, countDocs, deleteNamespace, idsInIndex } from './es-census.ts';
import { metricWith } from './metric-labels.ts';

// Elasticsearch faults as the indexer (a real child process) sees them, through proxies owned
// by this test in front of the shared cluster, which itself is never stopped:
// - unreachable for OUTAGE_MS (60 s by default) mid-stream (every connection refused);
// - overloaded: some `_bulk` items answered with per-item 429 and some whole requests with 429.
// Both must end with every event indexed exactly once.
const outageMs = Number(process.env['INDEXER_OUTAGE_MS'] ?? 60_000);
const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'faults-es', ssl: false };
const es = new Client({ node: endpoints.elasticsearchUrl });
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await es.close();
});

type Rig = { suffix: string; topics: { events: string; alerts: string; dlq: string }; layout: IndexLayout; indexer: ServiceProcess };

/** Own topics and namespace, and an indexer child process writing through `esUrl`; all removed after the file. */
async function rig(esUrl: string, logName: string, extraEnv: Record<string, string> = {}): Promise<Rig> {
  const suffix = uniqueSuffix();
  const topics = { events: `fe-events-${suffix}`, alerts: `fe-alerts-${suffix}`, dlq: `fe-dlq-${suffix}` };
  const namespace = `t${suffix}`;
  const admin = await createAdmin(kafka);
  await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
  cleanups.push(async () => {
    await admin.deleteTopics(Object.values(topics));
    await admin.close();
  });
  cleanups.push(() => deleteNamespace(es, namespace));
  const indexer = startService(
    'indexer',
    {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      ELASTICSEARCH_URL: esUrl,
      ELASTICSEARCH_NAMESPACE: namespace,
      KAFKA_TOPIC_EVENTS: topics.events,
      KAFKA_TOPIC_ALERTS: topics.alerts,
      KAFKA_TOPIC_DLQ: topics.dlq,
      INDEXER_GROUP_ID: `fe-indexer-${suffix}`,
      ...extraEnv,
    },
    `${logName}-${suffix}`,
  );
  cleanups.push(async () => void (await indexer.stop('SIGKILL')));
  await indexer.waitForLog('indexer started');
  return { suffix, topics, layout: indexLayout(namespace), indexer };
}

function messagesOf(seed: number, auditPerHour: number): { messages: OutgoingMessage[]; ids: Set<string> } {
  const data = generateSampleData({ endMs: Date.now(), hours: 24, seed, auditPerHour });
  const messages = data.events.map((d) => ({ key: `${d.cloud.project?.id}:${d.user?.name ?? ''}`, value: JSON.stringify(d) }));
  return { messages, ids: new Set(data.events.map((e) => e.event.id)) };
}

async function sendAll(producer: BusProducer, topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 250) await producer.send(topic, messages.slice(i, i + 250));
}

test(`Elasticsearch unreachable for ${outageMs / 1000} s mid-stream: consumption pauses, memory stays bounded, then every event is indexed exactly once`, { timeout: outageMs + 180_000 }, async () => {
  const proxy = switchableTcpProxy(endpoints.elasticsearchUrl);
  cleanups.push(() => proxy.close());
  const { topics, layout, indexer } = await rig(`http://127.0.0.1:${await proxy.port}`, 'faults-es-outage');
  const url = await indexer.url();
  const { messages, ids: wanted } = messagesOf(21, 20);
  const half = Math.floor(messages.length / 2);
  const producer = await createProducer(kafka);
  let recoveredAt = 0;
  let peakRss = 0;
  try {
    await sendAll(producer, topics.events, messages.slice(0, half));
    await waitFor(async () => ((await countDocs(es, layout.eventsPattern)) >= half ? true : undefined), 60_000, 'first half indexed');

    await proxy.down();
    const outageStart = Date.now();
    await sendAll(producer, topics.events, messages.slice(half));
    await waitFor(async () => ((await metricSum(url, 'atlas_indexer_paused')) === 1 ? true : undefined), 30_000, 'consumption paused');
    assert.equal((await fetch(`${url}/readyz`)).status, 503, 'not ready while Elasticsearch is unreachable');
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'alive while waiting');
    while (Date.now() - outageStart < outageMs) {
      peakRss = Math.max(peakRss, await metricSum(url, 'process_resident_memory_bytes'));
      assert.equal(await countDocs(es, layout.eventsPattern), half, 'nothing indexed during the outage');
      await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.ok(peakRss > 0 && peakRss < 400 * 1_048_576, `resident memory stayed bounded (${Math.round(peakRss / 1_048_576)} MiB)`);
    assert.equal(await metricSum(url, 'atlas_indexer_paused'), 1, 'still paused at the end of the outage');
    assert.equal(indexer.child().exitCode, null, 'the indexer survived the outage');

    await proxy.up();
    const upAt = Date.now();
    await waitFor(async () => ((await countDocs(es, layout.eventsPattern)) >= messages.length ? true : undefined), 90_000, 'every event indexed after the outage');
    recoveredAt = Date.now() - upAt;
  } finally {
    await producer.close();
  }
  const census = censusOf(await idsInIndex(es, layout.eventsPattern), wanted);
  assert.equal(census.records, messages.length);
  assert.equal(census.unexpected, 0, 'only the produced ids');
  assert.equal(await metricSum(url, 'atlas_indexer_paused'), 0, 'resumed');
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  const retries = await metricSum(url, 'atlas_indexer_item_retries_total');
  assert.equal(await indexer.stop('SIGTERM'), 0, 'SIGTERM drains and exits 0');
  reportFault({
    fault: `Elasticsearch unreachable ${outageMs / 1000} s mid-stream`,
    target: 'elasticsearch',
    expected: wanted.size,
    lost: census.lost,
    duplicated: census.duplicated,
    dlq: await countDocs(es, layout.dlqPattern),
    recoveryMs: recoveredAt,
    notes: `TCP proxy refused connections; indexer paused, peak RSS ${Math.round(peakRss / 1_048_576)} MiB; ${retries} item retries`,
  });
});

test('Elasticsearch rejecting bulk items with 429 (es_rejected_execution_exception) and whole requests with 429: items retried with backoff, offsets committed only when settled, every event once', { timeout: 240_000 }, async () => {
  const proxy = bulkRejectingProxy(endpoints.elasticsearchUrl);
  cleanups.push(() => proxy.close());
  // Small bulk requests, so that the rejections hit many requests of the stream.
  const { topics, layout, indexer, suffix } = await rig(await proxy.url, 'faults-es-429', { INDEXER_MAX_DOCS: '500' });
  const url = await indexer.url();
  const { messages, ids: wanted } = messagesOf(33, 40);
  // Held: ids rejected on every attempt while the fault lasts (their partitions must not be
  // committed past them); the others: every third id is rejected on its first two attempts.
  const held = new Set([...wanted].filter((_, i) => i % 97 === 0));
  const hash = (id: string): number => Number.parseInt(id.slice(-6), 16) || id.length;
  proxy.reject({ rejectItem: (id, seen) => held.has(id) || (hash(id) % 3 === 0 && seen < 2), rejectRequest: (n) => n % 10 === 3 });
  const faultStart = Date.now();
  const producer = await createProducer(kafka);
  try {
    await sendAll(producer, topics.events, messages);
  } finally {
    await producer.close();
  }
  await waitFor(async () => ((await countDocs(es, layout.eventsPattern)) >= wanted.size - held.size ? true : undefined), 120_000, 'every event but the held ones indexed');
  // Read the topic back (offsets of the held events), then check the group's committed offsets.
  const k = new Kafka({ clientId: 'faults-es-429-check', brokers: [...endpoints.kafkaBrokers], logLevel: logLevel.NOTHING });
  const kadmin = k.admin();
  await kadmin.connect();
  cleanups.push(() => kadmin.disconnect());
  const offsetsOf = new Map<string, { partition: number; offset: bigint }>();
  const reader = k.consumer({ groupId: `fe-429-reader-${suffix}` });
  await reader.connect();
  await reader.subscribe({ topics: [topics.events], fromBeginning: true });
  void reader.run({
    eachMessage: async ({ partition, message }) => {
      const id = (JSON.parse(String(message.value)) as { event: { id: string } }).event.id;
      offsetsOf.set(id, { partition, offset: BigInt(message.offset) });
    },
  });
  await waitFor(async () => (offsetsOf.size >= wanted.size ? true : undefined), 60_000, 'the topic read back');
  await reader.disconnect();
  await kadmin.deleteGroups([`fe-429-reader-${suffix}`]).catch(() => undefined);
  const firstHeld = new Map<number, bigint>();
  for (const id of held) {
    const at = offsetsOf.get(id);
    if (at && (firstHeld.get(at.partition) ?? at.offset + 1n) > at.offset) firstHeld.set(at.partition, at.offset);
  }
  const committed = (await kadmin.fetchOffsets({ groupId: `fe-indexer-${suffix}`, topics: [topics.events] }))[0]?.partitions ?? [];
  for (const [partition, offset] of firstHeld) {
    const c = BigInt(committed.find((p) => p.partition === partition)?.offset ?? '-1');
    assert.ok(c <= offset, `partition ${partition}: committed ${c} is not past the first unsettled (held) offset ${offset}`);
  }
  assert.equal(await countDocs(es, layout.eventsPattern), wanted.size - held.size, 'held items not indexed while rejected');

  proxy.reject(undefined);
  const faultEnd = Date.now();
  await waitFor(async () => ((await countDocs(es, layout.eventsPattern)) >= wanted.size ? true : undefined), 60_000, 'every event indexed after the fault');
  const recoveryMs = Date.now() - faultEnd;
  const admin = await createAdmin(kafka);
  try {
    await waitFor(async () => ((await admin.lag(`fe-indexer-${suffix}`, topics.events)) === 0 ? true : undefined), 60_000, 'the indexer group to commit everything', 500);
  } finally {
    await admin.close();
  }
  const census = censusOf(await idsInIndex(es, layout.eventsPattern), wanted);
  assert.equal(census.unexpected, 0, 'only the produced ids');
  const stats = proxy.stats();
  const retries429 = await metricWith(url, 'atlas_indexer_item_retries_total', 'reason="429"');
  const retriesRequest = await metricWith(url, 'atlas_indexer_item_retries_total', 'reason="unavailable"');
  assert.ok(stats.itemsRejected > held.size && stats.requestsRejected >= 1, `the fault happened (${JSON.stringify(stats)})`);
  assert.ok(retriesRequest > 0, 'whole-request 429s were retried');
  // A per-item 429 is counted as such unless a sibling request of the same batch failed as a
  // whole: then the batch's items are all retried (and counted) as "unavailable".
  assert.ok(retries429 > 0 && retries429 <= stats.itemsRejected && stats.itemsRejected - retries429 <= retriesRequest, `every item 429 was retried (${retries429} item retries, ${retriesRequest} request retries for ${stats.itemsRejected} rejected items)`);
  const replays = await metricWith(url, 'atlas_indexer_documents_total', 'outcome="duplicate"');
  // Backoff: a held item is re-sent after growing, jittered delays, not in a tight loop.
  const gapsMs = [...held].flatMap((id) => proxy.attemptsOf(id).slice(1).map((t, i) => t - (proxy.attemptsOf(id)[i] ?? t)));
  const meanGapMs = gapsMs.reduce((a, b) => a + b, 0) / Math.max(1, gapsMs.length);
  const maxAttempts = Math.max(...[...held].map((id) => proxy.attemptsOf(id).length));
  assert.ok(maxAttempts >= 3, `held items were retried (${maxAttempts} attempts at most)`);
  assert.ok(meanGapMs >= 250, `retries back off (mean gap ${Math.round(meanGapMs)} ms between attempts of a held item)`);
  assert.equal(await indexer.stop('SIGTERM'), 0, 'SIGTERM drains and exits 0');
  reportFault({
    fault: 'Elasticsearch 429 on bulk items and requests',
    target: 'elasticsearch',
    expected: wanted.size,
    lost: census.lost,
    duplicated: census.duplicated,
    dlq: await countDocs(es, layout.dlqPattern),
    recoveryMs,
    notes: `${Math.round((faultEnd - faultStart) / 1000)} s of rejections: ${stats.itemsRejected} items and ${stats.requestsRejected} of ${stats.bulkRequests} bulk requests answered 429 (${held.size} ids held until the end, up to ${maxAttempts} attempts each, mean gap ${Math.round(meanGapMs)} ms); indexer retries: ${retries429} items after item 429s, ${retriesRequest} after request 429s; ${replays} re-sent items answered 409`,
  });
});
