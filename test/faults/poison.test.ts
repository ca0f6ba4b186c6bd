import { test } from 'node:test';
import { constants, gzipSync, inflateRawSync as inflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { MongoClient } from 'mongodb';
import type { FaultSpec } from '@atlas-audit/atlas-sim/core/faults';
import { encodeLines, linesForHostChunk, linesForWindow, visitWindow, type ChunkLine } from '@atlas-audit/atlas-sim/core/host-chunk';
import type { LogName, World } from '@atlas-audit/atlas-sim/core/world';
import type { RequestRecord } from '@atlas-audit/atlas-sim/state';
import { servedLines } from '@atlas-audit/atlas-sim/served';
import { generateSampleData } from '@atlas-audit/dashboards/sample-data';
import { indexLayout } from '@atlas-audit/shared/es/index-names';
import { createAdmin, createProducer, type OutgoingMessage } from '@atlas-audit/shared/kafka';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { endpoints, uniqueSuffix, waitFor } from '@atlas-audit/test/env';
import { collectTopic, expectedServed } from '../integration/ingest-harness.ts';
import { countAgainst, END, hostOf, MIN, PROJECT, START, startAtlasIngestRun } from './atlas-ingest-run.ts';
import { startService } from './service-process.ts';
import { reportFault } from './report.ts';

/**
 * Fault matrix, poison input. Through Atlas: the simulator's invalid audit lines (bad JSON, half
 * lines, invalid UTF-8) and downloads answered with truncated or corrupt gzip; ingest dead-letters
 * what cannot be parsed and keeps every valid event. Straight onto the events topic: poison
 * records among valid events, consumed by detect and the indexer (real child processes); each
 * lands in the DLQ topic and the DLQ index with a reason, the valid events reach Elasticsearch
 * exactly once, and neither service stops.
 */

const CATCH_UP = { startAt: END + 20 * MIN, speed: 1 };

/** Calls `visit` with the key (`group|host|log|chunk|index`) and line of every line the downloads in `records` contained. */
function visitLines(world: World, records: readonly RequestRecord[], visit: (key: string, line: ChunkLine) => void): void {
  for (const r of records) {
    if (r.window === undefined || r.groupId === undefined || r.host === undefined) continue;
    const prefix = `${r.groupId}|${r.host}|${r.logName}|`;
    visitWindow(world, r.groupId, r.host, (r.logName ?? 'mongodb-audit-log') as LogName, r.window.startMs, r.window.endMs, r.simMs, r.late, linesForHostChunk, (line, chunk, index) => visit(`${prefix}${chunk}|${index}`, line));
  }
}

/**
 * Complete lines a truncated-gzip body still held: the simulator's body for the request (its
 * lines, gzip level 6), cut where the simulator cuts it (60 %), inflated as far as it goes.
 */
function linesInTruncatedBody(world: World, r: RequestRecord): { held: number; total: number } {
  if (r.window === undefined || r.groupId === undefined || r.host === undefined) return { held: 0, total: 0 };
  const lines = linesForWindow(world, r.groupId, r.host, (r.logName ?? 'mongodb-audit-log') as LogName, r.window.startMs, r.window.endMs, r.simMs, r.late);
  const body = gzipSync(encodeLines(lines), { level: 6 });
  const cut = body.subarray(0, Math.max(10, Math.floor(body.length * 0.6)));
  const text = inflateSync(cut.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH });
  return { held: text.toString('latin1').split('\n').length - 1, total: lines.length };
}

/** Keys of the lines the downloads in `records` contained. */
function lineKeys(world: World, records: readonly RequestRecord[]): Set<string> {
  const keys = new Set<string>();
  visitLines(world, records, (key) => keys.add(key));
  return keys;
}

test('poison from Atlas: invalid lines are dead-lettered with reason and origin; truncated and corrupt gzip downloads are dead-lettered and their windows fetched again whole', { timeout: 240_000 }, async () => {
  const faults = (world: World): FaultSpec[] => [
    { kind: 'truncated-gzip', endpoint: 'logs', host: hostOf(world, 0), count: 2 },
    { kind: 'corrupt-gzip', endpoint: 'logs', host: hostOf(world, 1), count: 2 },
  ];
  const run = await startAtlasIngestRun({ name: 'poison-atlas', clock: CATCH_UP, faults });
  try {
    const world = run.sim.control.world;
    const logs = (): RequestRecord[] => run.sim.control.requests({ endpoint: 'logs' }).sort((a, b) => a.atMs - b.atMs);
    await waitFor(async () => (logs().filter((r) => r.fault !== undefined).length >= 4 ? true : undefined), 90_000, 'the four gzip faults', 100);
    const doneAt = await run.waitCheckpointsPast(END + 10 * MIN, 180_000);
    const want = expectedServed(world, START, END, undefined, { projects: [PROJECT] });
    await run.waitForIds(want.events, 60_000).catch(() => undefined);
    await run.settle();
    const ids = run.events().map((e) => e.id);
    const all = countAgainst(want.events, ids);
    assert.equal(all.unexpected, 0, 'no event that was never served');
    const dlq = run.dlq();
    const lineDlq = dlq.filter((d) => d.origin.source === 'atlas.audit' && d.origin.line !== undefined);
    assert.ok(want.invalidLines > 0, 'the scenario serves invalid lines');
    assert.equal(new Set(lineDlq.map((d) => d.id)).size, want.invalidLines, 'every invalid line is dead-lettered');
    assert.equal(lineDlq.length, want.invalidLines, 'each once, though overlapping windows read it again');
    assert.ok(lineDlq.every((d) => d.reason.length > 0 && d.origin.project === PROJECT && d.origin.host !== undefined && d.origin.window !== undefined && Buffer.from(d.raw, 'base64').length > 0), 'with reason, origin and raw bytes');
    const servedMap = servedLines(world, logs());
    const served = new Set(servedMap.keys());
    const kinds: Record<string, number> = {};
    for (const line of servedMap.values()) if (line.groupId === PROJECT && line.invalid !== undefined) kinds[line.invalid] = (kinds[line.invalid] ?? 0) + 1;
    const servesInvalid = (r: RequestRecord): boolean => {
      let found = false;
      visitLines(world, [r], (_key, line) => (found ||= line.invalid !== undefined));
      return found;
    };
    const lastInvalid = logs().filter((r) => r.status === 200 && r.fault === undefined && servesInvalid(r)).at(-1);
    assert.ok(lastInvalid !== undefined);
    reportFault({ fault: 'invalid audit lines (bad JSON, half lines, invalid UTF-8)', target: 'input', expected: want.events.size, lost: all.lost, duplicated: all.duplicated, dlq: lineDlq.length, recoveryMs: Math.max(0, doneAt - lastInvalid.atMs), notes: `${want.invalidLines} invalid lines served (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}), each dead-lettered once with reason, host, window and line number` });

    for (const [index, kind] of [[0, 'truncated-gzip'], [1, 'corrupt-gzip']] as const) {
      const host = hostOf(world, index);
      const hits = logs().filter((r) => r.fault === kind);
      assert.ok(hits.every((r) => r.host === host));
      // What the bad bodies withheld: every line of their windows (the worker uses none of a bad body).
      const withheld = lineKeys(world, hits);
      const reServed = [...withheld].filter((k) => served.has(k)).length;
      assert.ok(withheld.size > 0, `the ${kind} bodies held lines`);
      assert.equal(reServed, withheld.size, `every line of the ${kind} windows was served again in a good download`);
      const wantHost = expectedServed(world, START, END, undefined, { projects: [PROJECT], host });
      const hostCounts = countAgainst(wantHost.events, run.events().filter((e) => e.host === host && e.dataset === 'atlas.audit').map((e) => e.id));
      const downloadDlq = dlq.filter((d) => d.origin.source === 'atlas.audit' && d.origin.line === undefined && d.origin.host === host);
      assert.equal(downloadDlq.length, hits.length, `one dead letter per ${kind} download`);
      assert.ok(downloadDlq.every((d) => /corrupt or truncated gzip/.test(d.reason) && d.origin.window !== undefined), 'with the gzip error as reason and the window as origin');
      // A truncated body still decodes to its first lines; the worker must not produce them from it (it re-reads the window whole).
      const partial = kind === 'truncated-gzip' ? hits.map((r) => linesInTruncatedBody(world, r)) : [];
      const held = partial.length === 0 ? '' : `; the truncated bodies still held ${partial.map((p) => `${p.held} of ${p.total}`).join(' and ')} complete lines`;
      if (kind === 'truncated-gzip') assert.ok(partial.every((p) => p.total > 0 && p.held < p.total), `the cut withheld lines: ${held}`);
      reportFault({ fault: `atlas ${kind} log body (2 ×, one host)`, target: 'atlas', expected: wantHost.events.size, lost: hostCounts.lost, duplicated: hostCounts.duplicated, dlq: downloadDlq.length, recoveryMs: Math.max(0, doneAt - (hits.at(-1)?.atMs ?? 0)), notes: `the bad bodies' windows held ${withheld.size} lines${held}; none used from a bad body, all ${reServed} served again in a good download and produced once` });
    }
    assert.equal(run.ingest.child().exitCode, null, 'ingest is still running');
  } finally {
    await run.close();
  }
});

test('poison on the events topic: detect and the indexer dead-letter each poison record with its reason, every valid event is indexed once, neither stops', { timeout: 240_000 }, async () => {
  const suffix = uniqueSuffix();
  const kafka = { brokers: [...endpoints.kafkaBrokers], clientId: `ft-poison-${suffix}`, ssl: false };
  const topics = { events: `ft-poison-events-${suffix}`, alerts: `ft-poison-alerts-${suffix}`, dlq: `ft-poison-dlq-${suffix}` };
  const namespace = `p${suffix}`;
  const layout = indexLayout(namespace);
  const database = `ft_poison_${suffix}`;
  const admin = await createAdmin(kafka);
  await admin.createTopics([{ topic: topics.events, partitions: 3 }, { topic: topics.alerts, partitions: 1 }, { topic: topics.dlq, partitions: 1 }]);
  const es = new Client({ node: endpoints.elasticsearchUrl });
  const dlqReader = await collectTopic(topics.dlq);
  const common = { KAFKA_BROKERS: endpoints.kafkaBrokers.join(','), KAFKA_TOPIC_EVENTS: topics.events, KAFKA_TOPIC_ALERTS: topics.alerts, KAFKA_TOPIC_DLQ: topics.dlq };
  const detect = startService('detect', { ...common, MONGODB_URI: endpoints.mongodbUri, MONGODB_DATABASE: database, DETECT_GROUP_ID: `ft-poison-detect-${suffix}`, DETECT_SESSION_TIMEOUT_MS: '6000' }, 'fault-poison-detect');
  const indexer = startService('indexer', { ...common, ELASTICSEARCH_URL: endpoints.elasticsearchUrl, ELASTICSEARCH_NAMESPACE: namespace, INDEXER_GROUP_ID: `ft-poison-indexer-${suffix}` }, 'fault-poison-indexer');
  const producer = await createProducer(kafka);
  try {
    await Promise.all([detect.url(), indexer.url()]);
    const data = generateSampleData({ endMs: Date.now(), hours: 3, seed: 31, auditPerHour: 300 });
    const valid = data.events;
    const template = valid[0];
    assert.ok(template !== undefined && valid.length > 1_000);
    const json = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));
    const withId = (n: number): typeof template => ({ ...template, event: { ...template.event, id: `${'d'.repeat(62)}${String(n).padStart(2, '0')}` } });
    const utf8Source = JSON.stringify(withId(4));
    const nameAt = utf8Source.indexOf('"name":"') + 9;
    const poison: Array<{ kind: string; value: Buffer }> = [
      { kind: 'invalid JSON', value: Buffer.from('{"event":{"id":"') },
      { kind: 'schema-invalid', value: json({ ...withId(2), '@timestamp': 'yesterday' }) },
      { kind: 'oversized (950 KB, under the 1 MB message limit)', value: Buffer.concat([Buffer.from('{"event":{"id":"'), Buffer.alloc(950_000, 0x78)]) },
      { kind: 'invalid UTF-8', value: Buffer.concat([Buffer.from(utf8Source.slice(0, nameAt)), Buffer.from([0xc3, 0x28]), Buffer.from(utf8Source.slice(nameAt))]) },
      { kind: 'empty', value: Buffer.alloc(0) },
    ];
    // Beyond Kafka's message limit nothing reaches a consumer: the broker refuses it at the producer.
    const tooLarge = await producer.send(topics.events, [{ key: 'poison', value: Buffer.alloc(1_500_000, 0x78) }]).then(() => 'accepted', (err: unknown) => (err instanceof Error ? err.message : String(err)));
    assert.notEqual(tooLarge, 'accepted', 'a 1.5 MB record is refused by the broker');
    const messages: OutgoingMessage[] = valid.map((e) => ({ key: `${e.cloud?.project?.id ?? '-'}:${e.user?.name ?? '-'}`, value: JSON.stringify(e) }));
    const step = Math.floor(messages.length / (poison.length + 1));
    poison.forEach((p, i) => messages.splice((i + 1) * step + i, 0, { key: `poison-${i}`, value: p.value }));
    for (let i = 0; i < messages.length; i += 200) await producer.send(topics.events, messages.slice(i, i + 200));
    const producedAt = Date.now();

    const count = async (index: string): Promise<number> => (await es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
    const wantDlq = 2 * poison.length;
    const settledAt = await waitFor(async () => ((await count(layout.eventsPattern)) >= valid.length && dlqReader.messages.length >= wantDlq && (await count(layout.dlqPattern)) >= wantDlq ? Date.now() : undefined), 150_000, `${valid.length} events indexed and ${wantDlq} dead letters`, 500).catch(() => Date.now());
    // Settle: a late duplicate or an extra dead letter would show in these counts.
    await new Promise((r) => setTimeout(r, 3_000));
    await es.indices.refresh({ index: `${layout.eventsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true });
    const res = await es.search({ index: layout.eventsPattern, size: 0, aggs: { ids: { terms: { field: 'event.id', size: 20_000 } } } });
    const buckets = (res.aggregations?.['ids'] as { buckets: Array<{ key: string; doc_count: number }> }).buckets;
    const stored = buckets.flatMap((b) => Array.from({ length: b.doc_count }, () => b.key));
    const counts = countAgainst(new Set(valid.map((e) => e.event.id)), stored);
    assert.equal(stored.length, await count(layout.eventsPattern), 'every document has an event.id');
    assert.equal(counts.unexpected, 0, 'no poison record was indexed as an event');

    const dead = dlqReader.messages.map((m) => dlqRecordSchema.parse(JSON.parse(String(m.value))));
    for (const service of ['detect', 'indexer']) {
      const mine = dead.filter((d) => d.reason.startsWith(`${service}: `));
      assert.equal(mine.length, poison.length, `${service} dead-lettered each poison record once: ${mine.map((d) => d.reason.slice(0, 80)).join(' | ')}`);
      for (const p of poison) {
        const prefix = p.value.subarray(0, 65_536).toString('base64');
        assert.ok(mine.some((d) => d.raw === prefix && d.origin.endpoint === topics.events), `${service}: the ${p.kind} record with its bytes`);
      }
    }
    assert.equal(dead.filter((d) => d.reason.includes('invalid UTF-8')).length, 2, 'the invalid UTF-8 record is refused by both, not stored with replacement characters');
    assert.ok(dead.some((d) => /raw cut to the first 65536 of 950016 bytes/.test(d.reason)), 'the oversized record is dead-lettered with its first 64 KiB');
    const dlqDocs = await count(layout.dlqPattern);
    assert.equal(dlqDocs, dead.length, 'every dead letter is in the DLQ index once');
    assert.equal(detect.child().exitCode, null, 'detect is still running');
    assert.equal(indexer.child().exitCode, null, 'the indexer is still running');
    reportFault({ fault: 'poison records on the events topic (bad JSON, schema, 950 KB, invalid UTF-8, empty)', target: 'input', expected: valid.length, lost: counts.lost, duplicated: counts.duplicated, dlq: dead.length, recoveryMs: Math.max(0, settledAt - producedAt), notes: `${poison.length} poison records → ${dead.length} dead letters (detect and indexer), ${dlqDocs} in the DLQ index; a 1.5 MB record is refused by the broker` });
  } finally {
    await producer.close().catch(() => undefined);
    await detect.stop('SIGTERM').catch(() => undefined);
    await indexer.stop('SIGTERM').catch(() => undefined);
    await dlqReader.close().catch(() => undefined);
    await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
    await admin.close().catch(() => undefined);
    await es.indices.delete({ index: `${layout.eventsPattern},${layout.alertsPattern},${layout.dlqPattern}`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    const p = layout.templatePrefix;
    for (const name of [`${p}-events`, `${p}-alerts`, `${p}-dlq`]) await es.indices.deleteIndexTemplate({ name }, { ignore: [404] }).catch(() => undefined);
    for (const name of [`${p}-settings`, `${p}-events-mappings`, `${p}-alerts-mappings`, `${p}-dlq-mappings`]) await es.cluster.deleteComponentTemplate({ name }, { ignore: [404] }).catch(() => undefined);
    await es.close();
    const mongo = new MongoClient(endpoints.mongodbUri);
    await mongo.connect();
    await mongo.db(database).dropDatabase().catch(() => undefined);
    await mongo.close();
  }
});
