import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { createAdmin, createConsumer, createProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { alertSchema } from '@atlas-audit/shared/schema/alert';
import { harness, perPrincipalRulesYaml } from '../../services/detect/test/fixtures.ts';
import { mixedStream } from '../../services/detect/test/stream.ts';

// Kafka → two detect replicas (real child processes sharing the partitions, state in the
// MongoDB-wire server) → atlas.alerts: exactly the alert ids the engine computes offline, even
// when one replica is killed with SIGKILL midway and the other takes its partitions over.
const mainPath = fileURLToPath(new URL('../../services/detect/src/main.ts', import.meta.url));
const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: 'detect-it', ssl: false };
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const rulesYaml = perPrincipalRulesYaml;

type Replica = { child: ChildProcessWithoutNullStreams; started: Promise<void>; logs: string[]; assigned: () => number[] | undefined };

function startReplica(env: Record<string, string>, name: string): Replica {
  const child = spawn(process.execPath, [mainPath], { env: { PATH: process.env['PATH'] ?? '', ...env, KAFKA_CLIENT_ID: name } });
  const logs: string[] = [];
  let assigned: number[] | undefined;
  const started = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; partitions?: number[] };
        if (entry.msg === 'detect started') resolve();
        if (entry.msg === 'partitions assigned') assigned = entry.partitions;
      } catch {
        // not JSON: kept in logs
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${logs.slice(-5).join('\n')}`)));
  });
  started.catch(() => undefined);
  child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, started, logs, assigned: () => assigned };
}

const keyOf = (e: AtlasEvent): string => `${e.cloud.project?.id ?? '-'}:${e.user?.name ?? ''}`;
const messagesOf = (events: readonly AtlasEvent[]): OutgoingMessage[] => events.map((e) => ({ key: keyOf(e), value: JSON.stringify(e) }));

test('two detect replicas, one killed midway, produce exactly the expected alerts to atlas.alerts', { timeout: 240_000 }, async () => {
  const suffix = uniqueSuffix();
  const topics = { events: `it-det-events-${suffix}`, alerts: `it-det-alerts-${suffix}`, dlq: `it-det-dlq-${suffix}` };
  const database = `it_detect_${suffix}`;
  const admin = await createAdmin(kafka);
  await admin.createTopics([{ topic: topics.events, partitions: 4 }, { topic: topics.alerts, partitions: 2 }, { topic: topics.dlq, partitions: 1 }]);
  await admin.close();
  cleanups.push(async () => {
    const a = await createAdmin(kafka);
    await a.deleteTopics(Object.values(topics));
    await a.close();
  });
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
  cleanups.push(async () => {
    await mongo.db(database).dropDatabase();
    await mongo.close();
  });
  const dir = mkdtempSync(join(tmpdir(), 'detect-it-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, rulesYaml);

  const stream = mixedStream(11, 10).filter((e) => e.event.dataset === 'atlas.access' || (e.event.dataset === 'atlas.audit' && (e.event.action === 'dropCollection' || e.event.action === 'find')));
  const half = Math.floor(stream.length / 2);
  const firstHalf = stream.slice(0, half);
  const expectedFirst = new Set(harness(rulesYaml).run(firstHalf).map((a) => a.event.id));
  const expected = new Set(harness(rulesYaml).run(stream).map((a) => a.event.id));
  assert.ok(expectedFirst.size >= 5 && expected.size > expectedFirst.size, `expected ${expectedFirst.size} then ${expected.size} alerts`);

  // Collect everything on the alerts topic.
  const seen: string[] = [];
  const invalid: string[] = [];
  const reader = await createConsumer(kafka, `it-det-reader-${suffix}`);
  cleanups.push(() => reader.close());
  const dead: Array<{ id: string; raw: string; reason: string }> = [];
  await reader.subscribe([topics.alerts, topics.dlq], true);
  await reader.run({
    eachBatch: async (batch) => {
      if (batch.topic === topics.dlq) {
        for (const m of batch.messages) dead.push(JSON.parse(String(m.value)) as { id: string; raw: string; reason: string });
        return;
      }
      for (const m of batch.messages) {
        const alert = alertSchema.safeParse(JSON.parse(String(m.value)));
        if (!alert.success || alert.data.event.id !== m.key) invalid.push(String(m.key));
        else seen.push(alert.data.event.id);
      }
    },
  });

  const env = {
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    MONGODB_URI: endpoints.mongodbUri,
    MONGODB_DATABASE: database,
    KAFKA_TOPIC_EVENTS: topics.events,
    KAFKA_TOPIC_ALERTS: topics.alerts,
    KAFKA_TOPIC_DLQ: topics.dlq,
    DETECT_GROUP_ID: `it-detect-${suffix}`,
    DETECT_RULES_FILE: rulesFile,
    DETECT_SESSION_TIMEOUT_MS: '6000',
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const a = startReplica(env, 'detect-a');
  const b = startReplica(env, 'detect-b');
  await Promise.all([a.started, b.started]);
  await waitFor(async () => ((a.assigned()?.length ?? 0) > 0 && (b.assigned()?.length ?? 0) > 0 ? true : undefined), 60_000, 'both replicas own partitions');

  const producer = await createProducer(kafka);
  cleanups.push(() => producer.close());
  await producer.send(topics.events, [...messagesOf(firstHalf), { key: 'junk', value: '{"not":"an event"}' }]);
  await waitFor(async () => ([...expectedFirst].every((id) => seen.includes(id)) ? true : undefined), 90_000, 'the first half alerts');
  const evaluatedBy = (r: Replica): number => r.logs.filter((l) => l.includes('"batch evaluated"')).length;
  assert.ok(evaluatedBy(a) > 0 && evaluatedBy(b) > 0, 'both replicas raised alerts before the kill');
  a.child.kill('SIGKILL');
  await producer.send(topics.events, messagesOf(stream.slice(half)));
  await waitFor(async () => ([...expected].every((id) => seen.includes(id)) ? true : undefined), 120_000, 'every expected alert after the kill');
  await waitFor(async () => ((b.assigned()?.length ?? 0) === 4 ? true : undefined), 30_000, 'the survivor owns all partitions');

  const distinct = new Set(seen);
  assert.deepEqual(invalid, []);
  assert.deepEqual([...distinct].filter((id) => !expected.has(id)), [], 'no alert outside the expected set');
  assert.equal(distinct.size, expected.size);
  await waitFor(async () => (dead.length >= 1 ? true : undefined), 30_000, 'the junk record dead-lettered');
  // A redelivered batch may dead-letter the record again, always under the same id.
  assert.equal(new Set(dead.map((d) => d.id)).size, 1);
  assert.equal(Buffer.from(dead[0]?.raw ?? '', 'base64').toString(), '{"not":"an event"}');
  assert.match(dead[0]?.reason ?? '', /^detect: not a valid event/);
  b.child.kill('SIGTERM');
});

test('MongoDB state backend on the real server: entries round-trip and writes are fenced by offset', async () => {
  const { createMongoBackend } = await import('../../services/detect/src/mongo-state.ts');
  const database = `it_detect_state_${uniqueSuffix()}`;
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
  cleanups.push(async () => {
    await mongo.db(database).dropDatabase();
    await mongo.close();
  });
  const backend = await createMongoBackend(mongo.db(database), 'detect_state');
  const value = { f: 1, p: [['203.0.113.0/24', 1, 2]], 'key.with.dots': { $odd: true } };
  await backend.save(3, [{ namespace: 'new-ip', key: 'proj/app@admin', value }, { namespace: 'last-success', key: 'proj/app@admin', value: 42 }], 200);
  await backend.save(4, [{ namespace: 'new-ip', key: 'proj/app@admin', value: 'other partition' }], 5);
  // A stale replica (lower offset) can neither overwrite nor delete.
  await backend.save(3, [{ namespace: 'new-ip', key: 'proj/app@admin', value: 'stale' }, { namespace: 'last-success', key: 'proj/app@admin', value: undefined }], 150);
  const byKey = (entries: Awaited<ReturnType<typeof backend.load>>) => Object.fromEntries(entries.map((e) => [e.namespace, e.value]));
  assert.deepEqual(byKey(await backend.load(3)), { 'new-ip': value, 'last-success': 42 });
  // The owner moves on: a higher offset overwrites and deletes.
  await backend.save(3, [{ namespace: 'new-ip', key: 'proj/app@admin', value: 'newer' }, { namespace: 'last-success', key: 'proj/app@admin', value: undefined }], 201);
  assert.deepEqual(byKey(await backend.load(3)), { 'new-ip': 'newer' });
  assert.deepEqual(byKey(await backend.load(4)), { 'new-ip': 'other partition' });
});

test('MongoDB state backend on the real server: a save that meets newer entries still writes all its other entries', async () => {
  const { createMongoBackend } = await import('../../services/detect/src/mongo-state.ts');
  const database = `it_detect_state_${uniqueSuffix()}`;
  const mongo = new MongoClient(endpoints.mongodbUri);
  await mongo.connect();
  cleanups.push(async () => {
    await mongo.db(database).dropDatabase();
    await mongo.close();
  });
  const backend = await createMongoBackend(mongo.db(database), 'detect_state');
  // A save half-applied before the server went away (a, c at offset 10), then retried, or a replay reaching offset 10 again.
  await backend.save(0, [{ namespace: 'suppress', key: 'a', value: 1 }, { namespace: 'suppress', key: 'c', value: 3 }], 10);
  await backend.save(0, [{ namespace: 'suppress', key: 'newer', value: 'kept' }], 12);
  const retried = ['a', 'b', 'c', 'd', 'newer', 'e'].map((key) => ({ namespace: 'suppress', key, value: key === 'newer' ? 'stale' : key }));
  await backend.save(0, retried, 10);
  const byKey = Object.fromEntries((await backend.load(0)).map((e) => [e.key, e.value]));
  // FerretDB stops an unordered bulk at its first duplicate key; every entry below the offset must be written all the same.
  assert.deepEqual(byKey, { a: 1, b: 'b', c: 3, d: 'd', newer: 'kept', e: 'e' });
});
