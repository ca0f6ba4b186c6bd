import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { createAdmin, createProducer, type BusProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';

// Elasticsearch "stopped" for OUTAGE_MS (60 s by default) mid-stream, as the indexer sees it:
// the indexer reaches the shared Elasticsearch through a TCP proxy owned by this test, which
// refuses every connection during the outage. The shared cluster itself is never stopped.
const outageMs = Number(process.env['INDEXER_OUTAGE_MS'] ?? 60_000);
const mainPath = fileURLToPath(new URL('../../services/indexer/src/main.ts', import.meta.url));
const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'indexer-outage-it', ssl: false };
const es = new Client({ node: endpoints.elasticsearchUrl });
const target = new URL(endpoints.elasticsearchUrl);
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await es.close();
});

/** A TCP forwarder to Elasticsearch that can be switched off (listener closed, every connection cut) and on again on the same port. */
function esProxy(): { port: Promise<number>; down: () => Promise<void>; up: () => Promise<void> } {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = (): Promise<number> => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 9200), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve((port = (server.address() as { port: number }).port))));
  };
  const portPromise = listen();
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return {
    port: portPromise,
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    up: async () => {
      await listen();
    },
  };
}

async function count(index: string): Promise<number> {
  try {
    return (await es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
  } catch {
    return 0;
  }
}

async function sendAll(producer: BusProducer, topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 250) await producer.send(topic, messages.slice(i, i + 250));
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && !l.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

test(`Elasticsearch unreachable for ${outageMs / 1000} s mid-stream: consumption pauses, memory stays bounded, then every event is indexed exactly once`, { timeout: outageMs + 180_000 }, async () => {
  const suffix = uniqueSuffix();
  const topics = { events: `ot-events-${suffix}`, alerts: `ot-alerts-${suffix}`, dlq: `ot-dlq-${suffix}` };
  const namespace = `t${suffix}`;
  const layout = indexLayout(namespace);
  const admin = await createAdmin(kafka);
  await admin.createTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
  cleanups.push(async () => {
    await admin.deleteTopics(Object.values(topics));
    await admin.close();
  });
  cleanups.push(async () => {
    await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
    const p = layout.templatePrefix;
    for (const name of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name }, { ignore: [404] });
    for (const name of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
  });

  const proxy = esProxy();
  const child = spawn(process.execPath, [mainPath], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      ELASTICSEARCH_URL: `http://127.0.0.1:${await proxy.port}`,
      ELASTICSEARCH_NAMESPACE: namespace,
      KAFKA_TOPIC_EVENTS: topics.events,
      KAFKA_TOPIC_ALERTS: topics.alerts,
      KAFKA_TOPIC_DLQ: topics.dlq,
      INDEXER_GROUP_ID: `ot-indexer-${suffix}`,
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"indexer started"')) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`indexer exited ${code}`)));
  });

  const data = generateSampleData({ endMs: Date.now(), hours: 24, seed: 21, auditPerHour: 20 });
  const messages = data.events.map((d) => ({ key: `${d.cloud.project?.id}:${d.user?.name ?? ''}`, value: JSON.stringify(d) }));
  const half = Math.floor(messages.length / 2);
  const producer = await createProducer(kafka);
  try {
    await sendAll(producer, topics.events, messages.slice(0, half));
    await waitFor(async () => ((await count(layout.eventsPattern)) >= half ? true : undefined), 60_000, 'first half indexed');

    await proxy.down();
    const outageStart = Date.now();
    await sendAll(producer, topics.events, messages.slice(half));
    await waitFor(async () => ((await metric(url, 'atlas_indexer_paused')) === 1 ? true : undefined), 30_000, 'consumption paused');
    assert.equal((await fetch(`${url}/readyz`)).status, 503, 'not ready while Elasticsearch is unreachable');
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'alive while waiting');
    let peakRss = 0;
    while (Date.now() - outageStart < outageMs) {
      peakRss = Math.max(peakRss, await metric(url, 'process_resident_memory_bytes'));
      assert.equal(await count(layout.eventsPattern), half, 'nothing indexed during the outage');
      await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.ok(peakRss > 0 && peakRss < 400 * 1_048_576, `resident memory stayed bounded (${Math.round(peakRss / 1_048_576)} MiB)`);
    assert.equal(await metric(url, 'atlas_indexer_paused'), 1, 'still paused at the end of the outage');
    assert.equal(child.exitCode, null, 'the indexer survived the outage');

    await proxy.up();
    await waitFor(async () => ((await count(layout.eventsPattern)) >= messages.length ? true : undefined), 90_000, 'every event indexed after the outage');
    await es.indices.refresh({ index: layout.eventsPattern });
    assert.equal(await count(layout.eventsPattern), messages.length);
    const ids = await es.search({ index: layout.eventsPattern, size: 0, aggs: { ids: { terms: { field: 'event.id', size: 60_000, shard_size: 60_000 } } } });
    const buckets = (ids.aggregations?.['ids'] as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
    assert.equal(buckets.length, messages.length, 'one id per event');
    assert.ok(buckets.every((b) => b.doc_count === 1), 'no id stored twice');
    const wanted = new Set(data.events.map((e) => e.event.id));
    assert.ok(buckets.every((b) => wanted.has(b.key)), 'only the produced ids');
    assert.equal(await metric(url, 'atlas_indexer_paused'), 0, 'resumed');
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
  } finally {
    await producer.close();
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
