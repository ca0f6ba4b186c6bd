import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { MongoClient } from 'mongodb';
import { startAtlasSim } from '@atlas-audit/atlas-sim/server';
import { createAdmin, type IncomingMessage } from '@atlas-audit/shared/kafka';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { collectTopic, expectedServed } from '../integration/ingest-harness.ts';
import { harness, perPrincipalRulesYaml } from '../../services/detect/test/fixtures.ts';
import { reportFault } from './report.ts';
import { metricSum, startService, type ServiceProcess } from './service-process.ts';
import { topicState } from './kafka-state.ts';
import { censusOf, deleteNamespace, idsInIndex } from './es-census.ts';
import { metricWith } from './metric-labels.ts';

// The shared Kafka broker restarted (graceful TERM, then a hard KILL) while the pipeline of real
// child processes simulator → ingest → Kafka → indexer → Elasticsearch (and Kafka → detect →
// alerts → indexer) is working: ingest has transactions in flight, the indexer and detect are
// consuming. Afterwards the events topic (read committed) and the index must hold exactly the
// events the simulator serves, each once, and the alerts index exactly the alerts the detection
// engine raises offline over the same partitions.

const MIN = 60_000;
// Three hours: the first attacks of the scenario (02:11–02:45) fall inside, so detect raises alerts.
const HOURS = 3;
const root = fileURLToPath(new URL('../../', import.meta.url));
const baseYaml = readFileSync(`${root}services/atlas-sim/scenarios/test-small.yaml`, 'utf8');
const START = Date.parse(/^start:\s*(\S+)/m.exec(baseYaml)?.[1] ?? '');
const END = START + HOURS * 60 * MIN;
const ORG = /id:\s*([0-9a-f]{24})/.exec(baseYaml.slice(baseYaml.indexOf('orgs:')))?.[1] ?? '';
const es = new Client({ node: endpoints.elasticsearchUrl });
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await es.close();
});

type Restart = { mode: 'graceful' | 'kill'; readyAtMs: number; tookMs: number };

/** `scripts/stack.sh restart kafka [--kill]`: resolves when the broker is ready again (the script waits for it). */
function restartBroker(mode: Restart['mode']): Promise<Restart> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [`${root}scripts/stack.sh`, 'restart', 'kafka', ...(mode === 'kill' ? ['--kill'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve({ mode, readyAtMs: Date.now(), tookMs: Date.now() - started }) : reject(new Error(`stack.sh restart kafka exited ${code}: ${out.slice(-2000)}`))));
  });
}

const rulesYaml = perPrincipalRulesYaml;

/** The alert ids the engine raises over `messages`, each partition in offset order on its own state (as detect sees them). */
function offlineAlerts(messages: readonly IncomingMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const partition of new Set(messages.map((m) => m.partition))) {
    const events = messages.filter((m) => m.partition === partition).sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1)).map((m) => JSON.parse(String(m.value)) as AtlasEvent);
    for (const alert of harness(rulesYaml).run(events)) ids.add(alert.event.id);
  }
  return ids;
}

/** The topic's records whose id was never served (at most 5), with where they sit and what they say, for the failure message. */
function describeOff(messages: readonly IncomingMessage[], expected: ReadonlySet<string>): string {
  const off = messages.flatMap((m) => {
    const e = JSON.parse(String(m.value)) as { '@timestamp': string; event: { id: string; dataset: string; action?: string }; atlas?: Record<string, unknown> };
    return isData(e.event.dataset) && !expected.has(e.event.id) ? [{ partition: m.partition, offset: m.offset, ts: e['@timestamp'], dataset: e.event.dataset, action: e.event.action, id: e.event.id, coordinates: e.atlas?.['source_coordinates'] }] : [];
  });
  return JSON.stringify(off.slice(0, 5));
}

/**
 * What a stalled run looks like, for the failure message: per partition of the events topic the
 * high watermark, the last stable offset and the indexer's committed offset (which side stands
 * still), the services' progress metrics and each service's last log lines.
 */
async function stallReport(topic: string, indexerGroup: string, services: Record<string, [ServiceProcess, string | undefined]>): Promise<string> {
  const partitions = await topicState(endpoints.kafkaBrokers, topic, indexerGroup).catch((err: unknown) => `unknown (${String(err)})`);
  const parts = [`events topic ${JSON.stringify(partitions)}`];
  for (const [name, [service, url]] of Object.entries(services)) {
    const metrics = url === undefined ? '' : (await fetch(`${url}/metrics`).then((r) => r.text()).catch((err: unknown) => String(err))).split('\n').filter((l) => /^atlas_(ingest_(events_committed|windows|commit_seconds_count)|indexer_(documents|pending|paused))/.test(l)).join(', ');
    parts.push(`${name} (exit ${service.child().exitCode ?? service.child().signalCode ?? 'none'}) metrics [${metrics}] last log ${service.current().slice(-5).map((l) => JSON.stringify(l)).join(' ')}`);
  }
  return parts.join('; ');
}

const dataOnly = { bool: { must_not: [{ terms: { 'event.dataset': ['atlas.pipeline', 'atlas.posture'] } }] } };
const isData = (dataset: string): boolean => dataset !== 'atlas.pipeline' && dataset !== 'atlas.posture';

async function runWithBrokerRestart(mode: Restart['mode']): Promise<void> {
  const suffix = uniqueSuffix();
  const topics = { events: `fk-events-${suffix}`, dlq: `fk-dlq-${suffix}`, checkpoints: `fk-cp-${suffix}`, alerts: `fk-alerts-${suffix}` };
  const database = `fk_${suffix}`;
  const namespace = `t${suffix}`;
  const layout = indexLayout(namespace);
  const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'faults-kafka', ssl: false };
  const admin = await createAdmin(kafka);
  await admin.createTopics([{ topic: topics.events, partitions: 3 }, { topic: topics.dlq, partitions: 1 }, { topic: topics.alerts, partitions: 1 }]);
  cleanups.push(async () => {
    await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
    await admin.close();
  });
  cleanups.push(() => deleteNamespace(es, namespace));
  cleanups.push(async () => {
    const mongo = new MongoClient(endpoints.mongodbUri);
    await mongo.connect();
    await mongo.db(database).dropDatabase().catch(() => undefined);
    await mongo.close();
  });
  // The simulated clock stands 20 minutes after the end (everything published) and runs at
  // real speed: the worker catches the whole history up, then idles.
  const simNow = END + 20 * MIN;
  const anchorRealMs = Date.now();
  const sim = await startAtlasSim({ scenario: `${baseYaml}\nend: ${new Date(END).toISOString()}\n`, apiKeys: { fkpub: 'fk-private-key' }, clock: { mode: 'offset', startAt: simNow, speed: 1 }, realNow: Date.now });
  cleanups.push(() => sim.close());
  const expected = expectedServed(sim.control.world, START, END, undefined);
  const brokers = endpoints.kafkaBrokers.join(',');
  const dir = mkdtempSync(join(tmpdir(), 'faults-kafka-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), rulesYaml);
  const detect = startService('detect', { KAFKA_BROKERS: brokers, MONGODB_URI: endpoints.mongodbUri, MONGODB_DATABASE: database, KAFKA_TOPIC_EVENTS: topics.events, KAFKA_TOPIC_ALERTS: topics.alerts, KAFKA_TOPIC_DLQ: topics.dlq, DETECT_GROUP_ID: `fk-detect-${suffix}`, DETECT_RULES_FILE: join(dir, 'rules.yaml') }, `faults-kafka-${mode}-detect-${suffix}`);
  cleanups.push(async () => void (await detect.stop('SIGKILL')));
  await detect.waitForLog('detect started');

  const indexer = startService('indexer', { KAFKA_BROKERS: brokers, ELASTICSEARCH_URL: endpoints.elasticsearchUrl, ELASTICSEARCH_NAMESPACE: namespace, KAFKA_TOPIC_EVENTS: topics.events, KAFKA_TOPIC_ALERTS: topics.alerts, KAFKA_TOPIC_DLQ: topics.dlq, INDEXER_GROUP_ID: `fk-indexer-${suffix}` }, `faults-kafka-${mode}-indexer-${suffix}`);
  cleanups.push(async () => void (await indexer.stop('SIGKILL')));
  await indexer.waitForLog('indexer started');
  const ingest = startService(
    'ingest',
    {
      KAFKA_BROKERS: brokers,
      MONGODB_URI: endpoints.mongodbUri,
      MONGODB_DATABASE: database,
      ATLAS_BASE_URL: sim.url,
      ATLAS_PUBLIC_KEY: 'fkpub',
      ATLAS_PRIVATE_KEY: 'fk-private-key',
      ATLAS_ORG_IDS: ORG,
      INGEST_START_AT: new Date(START).toISOString(),
      INGEST_CLOCK_ANCHOR_MS: String(simNow),
      INGEST_CLOCK_ANCHOR_REAL_MS: String(anchorRealMs),
      INGEST_CLOCK_SPEED: '1',
      INGEST_AUDIT_INTERVAL_MS: String(MIN),
      INGEST_AUDIT_LAG_MS: String(5 * MIN),
      INGEST_AUDIT_OVERLAP_MS: String(10 * MIN),
      INGEST_AUDIT_MAX_WINDOW_MS: String(5 * MIN),
      INGEST_MAX_WINDOWS_IN_FLIGHT: '2',
      INGEST_POSTURE_INTERVAL_MS: String(600 * MIN),
      INGEST_RETRY_BASE_MS: '1000',
      INGEST_RETRY_MAX_MS: '5000',
      TOPIC_EVENTS: topics.events,
      TOPIC_DLQ: topics.dlq,
      TOPIC_INGEST_CHECKPOINTS: topics.checkpoints,
      INGEST_TRANSACTIONAL_ID_PREFIX: `fk-${suffix}`,
    },
    `faults-kafka-${mode}-ingest-${suffix}`,
  );
  cleanups.push(async () => void (await ingest.stop('SIGKILL')));
  const ingestUrl = await ingest.url();
  const indexerUrl = await indexer.url();
  const indexed = async (): Promise<number> => (await es.count({ index: layout.eventsPattern, ignore_unavailable: true, allow_no_indices: true, query: dataOnly })).count;

  // Restart while both work: ingest has committed some events and the index holds a part of them.
  await waitFor(async () => ((await indexed().catch(() => 0)) >= expected.events.size * 0.15 ? true : undefined), 180_000, '15 % of the events indexed', 200);
  const committedAtFault = await metricSum(ingestUrl, 'atlas_ingest_events_committed_total');
  const indexedAtFault = await indexed();
  const restart = await restartBroker(mode);
  assert.ok(committedAtFault < expected.events.size, `ingest was still producing when the broker went down (${committedAtFault} of ${expected.events.size} committed)`);
  assert.ok(indexedAtFault < expected.events.size, 'the indexer was still consuming when the broker went down');

  // Where recovery time goes: when ingest commits again and when the index grows again after the broker is back.
  const atReady = { committed: await metricSum(ingestUrl, 'atlas_ingest_events_committed_total'), indexed: await indexed().catch(() => 0) };
  let firstCommitMs: number | undefined;
  let firstIndexedMs: number | undefined;
  await waitFor(async () => {
    const now = await indexed().catch(() => 0);
    if (firstCommitMs === undefined && (await metricSum(ingestUrl, 'atlas_ingest_events_committed_total')) > atReady.committed) firstCommitMs = Date.now() - restart.readyAtMs;
    if (firstIndexedMs === undefined && now > atReady.indexed) firstIndexedMs = Date.now() - restart.readyAtMs;
    return now >= expected.events.size ? true : undefined;
  }, 240_000, `${expected.events.size} events indexed after the restart`, 250).catch(async (err: unknown) => {
    throw new Error(`${String(err)}; indexed ${await indexed().catch(() => -1)}; ${await stallReport(topics.events, `fk-indexer-${suffix}`, { ingest: [ingest, ingestUrl], indexer: [indexer, indexerUrl], detect: [detect, undefined] })}`);
  });
  const recoveryMs = Date.now() - restart.readyAtMs;
  assert.equal(ingest.child().exitCode, null, 'ingest survived the restart');
  assert.equal(indexer.child().exitCode, null, 'the indexer survived the restart');
  assert.equal(detect.child().exitCode, null, 'detect survived the restart');

  // Kafka: the events topic read from the start (read_committed) once nothing more arrives.
  const reader = await collectTopic(topics.events);
  const dlqReader = await collectTopic(topics.dlq);
  const alertReader = await collectTopic(topics.alerts);
  const topicIds = (): string[] =>
    reader.messages.flatMap((m) => {
      const e = JSON.parse(String(m.value)) as { event: { id: string; dataset: string } };
      return isData(e.event.dataset) ? [e.event.id] : [];
    });
  try {
    await waitFor(async () => (new Set(topicIds()).size >= expected.events.size ? true : undefined), 120_000, 'the events topic read back', 500);
    let last = -1;
    await waitFor(async () => {
      const now = topicIds().length + dlqReader.messages.length;
      const stable = now === last;
      last = now;
      return stable ? true : undefined;
    }, 60_000, 'the topics to settle', 2_000);
  } finally {
    await reader.close();
    await dlqReader.close();
  }
  // Alerts: the engine offline over exactly what detect read; the index must hold each once.
  const expectedAlerts = offlineAlerts(reader.messages);
  const alertsIndexed = async (): Promise<number> => (await es.count({ index: layout.alertsPattern, ignore_unavailable: true, allow_no_indices: true })).count;
  try {
    await waitFor(async () => ((await alertsIndexed()) >= expectedAlerts.size ? true : undefined), 120_000, `${expectedAlerts.size} alerts indexed`, 500);
    await waitFor(async () => ((await metricWith(indexerUrl, 'atlas_indexer_documents_total', `topic="${topics.alerts}"`)) >= alertReader.messages.length && alertReader.messages.length >= expectedAlerts.size ? true : undefined), 60_000, 'every alert message settled by the indexer', 500);
  } finally {
    await alertReader.close();
  }
  const alertsInEs = censusOf(await idsInIndex(es, layout.alertsPattern), expectedAlerts);
  const alertRedeliveries = alertReader.messages.length - new Set(alertReader.messages.map((m) => m.key)).size;
  assert.ok(expectedAlerts.size > 0, 'the scenario raises alerts');
  const inKafka = censusOf(topicIds(), expected.events);
  const esIds = await idsInIndex(es, layout.eventsPattern, 'event.id', dataOnly);
  const inEs = censusOf(esIds, expected.events);
  // The documents behind unserved ids (at most 5), only when there are any, for the failure message.
  const offInEs = inEs.unexpected === 0 ? [] : [...new Set(esIds)].filter((id) => !expected.events.has(id)).slice(0, 5);
  const offDocs = offInEs.length === 0 ? [] : (await es.search({ index: layout.eventsPattern, size: 5, query: { terms: { 'event.id': offInEs } } })).hits.hits.map((h) => ({ index: h._index, id: h._id, source: h._source }));
  const dlqIds = dlqReader.messages.map((m) => (JSON.parse(String(m.value)) as { id: string }).id);
  assert.equal(inKafka.unexpected, 0, inKafka.unexpected === 0 ? '' : `only served events in Kafka (lost ${inKafka.lost}, duplicated ${inKafka.duplicated}); unexpected: ${describeOff(reader.messages, expected.events)}`);
  assert.equal(inEs.unexpected, 0, `only served events in Elasticsearch; unexpected: ${JSON.stringify(offDocs)}`);
  assert.equal(new Set(dlqIds).size, expected.invalidLines, 'every invalid line dead-lettered');
  assert.equal(dlqIds.length, expected.invalidLines, 'each once');
  const failedCommits = ingest.lines.filter((l) => l['msg'] === 'window commit failed').length;
  const restores = ingest.lines.filter((l) => l['msg'] === 'checkpoints restored after a failed commit').length;
  const replays = await metricWith(indexerUrl, 'atlas_indexer_documents_total', 'outcome="duplicate"');
  // Consumers kafkajs stopped for good (no group coordinator yet) and the service started again in-process.
  const consumerRestarts = (service: typeof indexer): number => service.lines.filter((l) => l['msg'] === 'kafka consumer stopped by its client, restarting').length;
  const restartsNote = `consumer restarts in-process: indexer ${consumerRestarts(indexer)}, detect ${consumerRestarts(detect)}`;
  assert.equal(await ingest.stop('SIGTERM'), 0, 'ingest drains and exits 0');
  assert.equal(await detect.stop('SIGTERM'), 0, 'detect drains and exits 0');
  assert.equal(await indexer.stop('SIGTERM'), 0, 'the indexer drains and exits 0');
  reportFault({
    fault: `Kafka broker restart (${mode === 'kill' ? 'KILL' : 'TERM'}), ingest producing, indexer and detect consuming`,
    target: 'kafka',
    expected: expected.events.size + expectedAlerts.size,
    lost: inKafka.lost + inEs.lost + alertsInEs.lost,
    duplicated: inKafka.duplicated + inEs.duplicated,
    dlq: dlqIds.length,
    duplicateAlerts: alertsInEs.unexpected + alertsInEs.duplicated,
    recoveryMs,
    notes: `broker down→ready ${(restart.tookMs / 1000).toFixed(1)} s; at the fault ingest had committed ${committedAtFault} and ES held ${indexedAtFault} of ${expected.events.size}, when it was ready ${atReady.committed} and ${atReady.indexed}; after ready, first commit ${((firstCommitMs ?? -1) / 1000).toFixed(1)} s, first new document ${((firstIndexedMs ?? -1) / 1000).toFixed(1)} s; Kafka ${inKafka.records} data messages, ES ${inEs.records} docs; alerts: ${expectedAlerts.size} expected, ${alertsInEs.records} in ES, ${alertRedeliveries} same-id redeliveries on the topic (at-least-once, deduped by _id); ingest: ${failedCommits} window commits failed, checkpoints restored ${restores}×; indexer: ${replays} replays answered 409; ${restartsNote}`,
  });
}

test('Kafka broker restarted gracefully (TERM) while ingest produces and the indexer and detect consume: every served event once in Kafka and in Elasticsearch, every offline alert once', { timeout: 300_000 }, async () => {
  await runWithBrokerRestart('graceful');
});

test('Kafka broker killed (KILL) and restarted while ingest produces and the indexer and detect consume: every served event once in Kafka and in Elasticsearch, every offline alert once', { timeout: 300_000 }, async () => {
  await runWithBrokerRestart('kill');
});
