import { test } from 'node:test';
import { getEventListeners } from 'node:events';
import assert from 'node:assert/strict';
import { createOccurrenceCounter } from '@atlas-audit/shared/core/event-id';
import { createAuditNormaliser } from '@atlas-audit/shared/core/normalise/audit';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { normaliseActivityEvent } from '@atlas-audit/shared/core/normalise/activity';
import { atlasEventSchema, type AtlasEvent } from '@atlas-audit/shared/schema/event';
import { dlqRecordSchema } from '@atlas-audit/shared/schema/dlq';
import { ingestConfigSchema, type IngestConfig } from '../src/config.ts';
import { startIngest } from '../src/run.ts';
import { createFakeAtlas, HOSTS, PROJECT, type FakeAtlas } from './fake-atlas.ts';
import { createMemoryLog, memorySink, recordingObserver, restoreFrom, silentLog, type MemoryLog } from './memory-ports.ts';

const MIN = 60_000;
const T0 = Date.parse('2025-03-03T00:00:00Z');
const T_END = T0 + 3 * 60 * MIN;
const SPEED = 4 * 3600; // four simulated hours per real second

function config(overrides: Partial<IngestConfig['ingest']> = {}): IngestConfig {
  const base = ingestConfigSchema.parse({
    atlas: { baseUrl: 'http://atlas.invalid', publicKey: 'k', privateKey: 's', projectIds: [PROJECT], accessNLogs: 4 },
    ingest: {
      startAt: new Date(T0).toISOString(),
      audit: { intervalMs: 5 * MIN, lagMs: 5 * MIN, overlapMs: 10 * MIN, maxWindowMs: 20 * MIN },
      access: { intervalMs: 5 * MIN, lagMs: MIN, overlapMs: 10 * MIN, maxWindowMs: 30 * MIN },
      events: { intervalMs: 5 * MIN, lagMs: MIN, overlapMs: 10 * MIN, maxWindowMs: 60 * MIN },
      postureIntervalMs: 60 * MIN,
      retryBaseMs: 2 * MIN,
      retryMaxMs: 10 * MIN,
      maxEventsPerCommit: 200,
    },
    kafka: { brokers: ['127.0.0.1:9092'] },
    mongodb: { uri: 'mongodb://127.0.0.1:27017' },
  });
  return { ...base, ingest: { ...base.ingest, ...overrides } };
}

/** The exact ids the fake served (audit, access, activity) and the DLQ ids it should cause. */
function expected(atlas: FakeAtlas): { events: Set<string>; invalidLines: number } {
  const events = new Set<string>();
  let invalidLines = 0;
  for (const host of HOSTS) {
    const normalise = createAuditNormaliser({ project: PROJECT, host, logName: 'mongodb-audit-log' });
    const counter = createOccurrenceCounter();
    for (const { text } of atlas.allAuditLines(host)) {
      const result = normalise(Buffer.from(text), counter.next(Buffer.from(text)));
      if (result.ok) events.add(result.value.event.id);
      else invalidLines += 1;
    }
  }
  const counter = createOccurrenceCounter();
  for (const entry of atlas.allAccessEntries()) {
    const result = normaliseAccessEntry(entry, counter.next(accessEntryRawKey(entry)), { project: PROJECT, cluster: 'Cluster0' });
    assert.ok(result.ok);
    events.add(result.value.event.id);
  }
  for (const doc of atlas.allEvents()) {
    const result = normaliseActivityEvent(doc, { project: PROJECT });
    assert.ok(result.ok);
    events.add(result.value.event.id);
  }
  return { events, invalidLines };
}

function dataEvents(log: MemoryLog): AtlasEvent[] {
  return log.events.map((m) => atlasEventSchema.parse(JSON.parse(m.value))).filter((e) => e.event.dataset !== 'atlas.pipeline' && e.event.dataset !== 'atlas.posture');
}

function cursorsDone(log: MemoryLog): boolean {
  const cps = restoreFrom(log);
  const keys = [...cps.keys()].filter((k) => !k.startsWith('posture'));
  return keys.length >= HOSTS.length + 2 && keys.every((k) => (cps.get(k)?.cursorMs ?? 0) >= T_END + 10 * MIN);
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function clockFrom(startSimMs: number) {
  const startReal = Date.now();
  return { nowMs: () => startSimMs + (Date.now() - startReal) * SPEED, speed: SPEED };
}

test('every served record reaches the log exactly once, through overlaps, late lines and repeated lines', { timeout: 60_000 }, async () => {
  const clock = clockFrom(T0 + 30 * MIN);
  const atlas = createFakeAtlas({ startMs: T0, endMs: T_END, publishLagMs: 3 * MIN, lateDelayMs: 4 * MIN, now: clock.nowMs });
  const log = createMemoryLog();
  const observer = recordingObserver();
  const abort = new AbortController();
  const handle = startIngest(config(), { atlas, sink: memorySink(log), checkpoints: { restore: async () => restoreFrom(log), mirror: async () => undefined }, clock, observer, log: silentLog }, abort.signal);
  await until(() => cursorsDone(log), 45_000);
  abort.abort();
  await handle.done;
  const want = expected(atlas);
  const got = dataEvents(log).map((e) => e.event.id);
  assert.equal(new Set(got).size, got.length, 'no event id produced twice');
  assert.deepEqual(new Set(got), want.events, 'exactly the served set');
  const dlq = log.dlq.map((m) => dlqRecordSchema.parse(JSON.parse(m.value)));
  assert.equal(dlq.length, want.invalidLines, 'each invalid line dead-lettered once');
  assert.ok(dlq.every((d) => d.reason.length > 0 && d.origin.host !== undefined && d.origin.line !== undefined));
  assert.ok(observer.records.some((r) => r.status === 'empty') || observer.records.some((r) => r.status === 'fetched'));
  const posture = log.events.map((m) => JSON.parse(m.value) as AtlasEvent).filter((e) => e.event.dataset === 'atlas.posture');
  assert.deepEqual(posture.filter((e) => e.event.kind === 'state').map((e) => e.atlas.snapshot?.kind).sort(), ['audit_log', 'database_user'], 'the first snapshot as state events');
  const diffs = posture.filter((e) => e.atlas.diff !== undefined);
  assert.deepEqual(diffs.map((e) => [e.atlas.diff?.kind, e.atlas.diff?.resource_type]), [['added', 'database_user']], 'later snapshots only as their differences, each once');
  assert.ok(observer.records.filter((r) => r.stream.kind === 'posture').length >= 2, 'posture was polled more than once');
  const duplicates = observer.records.reduce((n, r) => n + (r.stats?.duplicates ?? 0), 0);
  assert.ok(duplicates > 0, 'overlapping windows did re-read records, and they were dropped');
});

test('the loop waits leave no abort listener behind: an idle worker turning for a second holds at most one', { timeout: 60_000 }, async () => {
  const clock = clockFrom(T0 + 30 * MIN);
  const atlas = createFakeAtlas({ startMs: T0, endMs: T_END, publishLagMs: 3 * MIN, lateDelayMs: 4 * MIN, now: clock.nowMs });
  const log = createMemoryLog();
  const abort = new AbortController();
  const handle = startIngest(config(), { atlas, sink: memorySink(log), checkpoints: { restore: async () => restoreFrom(log), mirror: async () => undefined }, clock, observer: recordingObserver(), log: silentLog }, abort.signal);
  await until(() => cursorsDone(log), 45_000);
  // Caught up at 4 simulated hours per second, the loop waits a few ms at a time: hundreds of turns.
  await new Promise((r) => setTimeout(r, 1_000));
  const listeners = getEventListeners(abort.signal, 'abort').length;
  abort.abort();
  await handle.done;
  assert.ok(listeners <= 1, `${listeners} abort listeners on the worker's signal`);
});

test('crashes at random moments and ambiguous commits lose nothing and duplicate nothing', { timeout: 90_000 }, async () => {
  const clock = clockFrom(T0 + 30 * MIN);
  const atlas = createFakeAtlas({ startMs: T0, endMs: T_END, publishLagMs: 3 * MIN, lateDelayMs: 4 * MIN, now: clock.nowMs });
  const log = createMemoryLog();
  let n = 0;
  const faults = (): 'ok' | 'lost' | 'ambiguous' => {
    n += 1;
    return n % 11 === 0 ? 'ambiguous' : n % 13 === 0 ? 'lost' : 'ok';
  };
  for (let crash = 0; crash <= 5 && !cursorsDone(log); crash += 1) {
    const sink = memorySink(log, faults);
    const abort = new AbortController();
    const handle = startIngest(config(), { atlas, sink, checkpoints: { restore: async () => restoreFrom(log), mirror: async () => undefined }, clock, observer: recordingObserver(), log: silentLog }, abort.signal);
    if (crash < 5) {
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 300)));
      sink.kill();
      abort.abort();
      await handle.done;
    } else {
      await until(() => cursorsDone(log), 60_000);
      abort.abort();
      await handle.done;
    }
  }
  assert.ok(cursorsDone(log));
  const want = expected(atlas);
  const got = dataEvents(log).map((e) => e.event.id);
  assert.equal(new Set(got).size, got.length, 'no event id produced twice');
  assert.deepEqual(new Set(got), want.events);
  assert.equal(new Set(log.dlq.map((m) => (JSON.parse(m.value) as { id: string }).id)).size, log.dlq.length, 'no dead letter twice');
});

test('a host answering 500 for a while is retried and caught up, never skipped', { timeout: 60_000 }, async () => {
  const clock = clockFrom(T0 + 30 * MIN);
  const failing = HOSTS[1] as string;
  const atlas = createFakeAtlas({ startMs: T0, endMs: T_END, publishLagMs: 3 * MIN, lateDelayMs: 4 * MIN, now: clock.nowMs, failHost: { host: failing, untilMs: T0 + 150 * MIN } });
  const log = createMemoryLog();
  const observer = recordingObserver();
  const abort = new AbortController();
  const handle = startIngest(config(), { atlas, sink: memorySink(log), checkpoints: { restore: async () => restoreFrom(log), mirror: async () => undefined }, clock, observer, log: silentLog }, abort.signal);
  await until(() => cursorsDone(log), 45_000);
  abort.abort();
  await handle.done;
  assert.ok(atlas.requests.failed > 0, 'the host did fail');
  assert.ok(observer.records.some((r) => r.status === 'failed' && r.stream.kind === 'audit' && r.stream.host === failing), 'failures are visible as coverage');
  const failures = log.events.map((m) => JSON.parse(m.value) as AtlasEvent).filter((e) => e.event.action === 'window-failed');
  assert.ok(failures.length > 0, 'failure coverage events are in the log');
  const got = new Set(dataEvents(log).map((e) => e.event.id));
  assert.deepEqual(got, expected(atlas).events);
});

test('a truncated gzip download is dead-lettered, the window marked failed and retried until it is whole', { timeout: 60_000 }, async () => {
  const clock = clockFrom(T0 + 30 * MIN);
  const host = HOSTS[0] as string;
  const atlas = createFakeAtlas({ startMs: T0, endMs: T_END, publishLagMs: 3 * MIN, lateDelayMs: 4 * MIN, now: clock.nowMs, truncateHost: { host, untilMs: T0 + 120 * MIN } });
  const log = createMemoryLog();
  const observer = recordingObserver();
  const abort = new AbortController();
  const handle = startIngest(config(), { atlas, sink: memorySink(log), checkpoints: { restore: async () => restoreFrom(log), mirror: async () => undefined }, clock, observer, log: silentLog }, abort.signal);
  await until(() => cursorsDone(log), 45_000);
  abort.abort();
  await handle.done;
  assert.ok(atlas.requests.failed > 0);
  const windowDlq = log.dlq.map((m) => dlqRecordSchema.parse(JSON.parse(m.value))).filter((d) => d.origin.line === undefined);
  assert.ok(windowDlq.length > 0 && windowDlq.every((d) => /corrupt or truncated gzip/.test(d.reason) && d.origin.host === host && d.origin.window !== undefined), 'the unusable download is in the DLQ with its window');
  assert.ok(observer.records.some((r) => r.status === 'failed' && r.stream.kind === 'audit' && r.stream.host === host));
  const got = dataEvents(log).map((e) => e.event.id);
  assert.equal(new Set(got).size, got.length);
  assert.deepEqual(new Set(got), expected(atlas).events, 'nothing of the truncated windows is missing, nothing partial was produced twice');
});
