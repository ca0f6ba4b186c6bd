import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coverageEvent } from '@atlas-audit/ingest/core/coverage';
import type { CoverageStatus } from '@atlas-audit/ingest/core/coverage';
import type { AtlasEvent } from '@atlas-audit/shared/schema/event';
import { audit, harness, only, PROJECT } from './fixtures.ts';

const T0 = Date.UTC(2025, 2, 4, 0, 0, 0);
const MIN = 60_000;
const HOST_A = 'atlas-q7x2kd-shard-00-00.x7rgm.mongodb.net';
const HOST_B = 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net';

/** The ingest worker's coverage event for `host`'s audit-log window [fromMin, toMin) (minutes after T0). */
function cov(host: string, fromMin: number, toMin: number, status: CoverageStatus): AtlasEvent {
  const received = status === 'fetched' ? 12 : 0;
  return coverageEvent({
    stream: { kind: 'audit', key: `audit|${PROJECT}|${host}|mongodb-audit-log`, project: PROJECT, host, logName: 'mongodb-audit-log' },
    window: { startMs: T0 + fromMin * MIN, endMs: T0 + toMin * MIN },
    status,
    stats: { received, events: received, duplicates: 0, clipped: 0, invalid: 0, skipped: 0 },
    observedMs: T0 + toMin * MIN + 5 * MIN,
  });
}

/** `count` consecutive windows of `lenMin` minutes from `fromMin`. */
function windows(host: string, fromMin: number, count: number, lenMin: number, status: CoverageStatus): AtlasEvent[] {
  return Array.from({ length: count }, (_, i) => cov(host, fromMin + i * lenMin, fromMin + (i + 1) * lenMin, status));
}

const silenceOnly = only('audit-impaired');
const silenceAlerts = (events: readonly AtlasEvent[]) => harness(silenceOnly).run(events).filter((a) => a.atlas.alert.subject.includes('/silence/'));

const truthySilence = [...windows(HOST_A, 0, 3, 60, 'fetched'), ...windows(HOST_A, 180, 4, 60, 'empty')];

const cases: Array<{ name: string; events: AtlasEvent[]; alerts: number }> = [
  {
    name: 'backfill out of order: host A fetched two days ahead of host B, whose windows (with data) arrive later',
    events: [
      ...windows(HOST_A, 0, 8, 360, 'fetched'),
      ...Array.from({ length: 30 }, (_, i) => audit('authCheck', 'app_svc', new Date(T0 + (2880 - i * 60) * MIN).toISOString(), { host: HOST_A })),
      ...windows(HOST_B, 0, 8, 360, 'fetched'),
    ],
    alerts: 0,
  },
  {
    name: 'backfill out of order: host B not fetched at all yet while host A and audit events move 3 days on',
    events: [...windows(HOST_B, 0, 2, 360, 'fetched'), ...windows(HOST_A, 0, 12, 360, 'fetched'), audit('authCheck', 'x', new Date(T0 + 4320 * MIN).toISOString(), { host: HOST_A })],
    alerts: 0,
  },
  { name: 'a host that used to log, then fetched and empty for 4 h (> 120 min)', events: truthySilence, alerts: 1 },
  { name: 'the same, every event delivered twice and the whole stream replayed', events: [...truthySilence.flatMap((e) => [e, e]), ...truthySilence], alerts: 1 },
  { name: 'empty windows arriving newest first still form one run', events: [...windows(HOST_A, 0, 3, 60, 'fetched'), ...windows(HOST_A, 180, 4, 60, 'empty').reverse()], alerts: 1 },
  { name: 'empty for 100 min only, then data again', events: [...windows(HOST_A, 0, 3, 60, 'fetched'), ...windows(HOST_A, 180, 5, 20, 'empty'), cov(HOST_A, 280, 300, 'fetched'), ...windows(HOST_A, 300, 5, 20, 'empty')], alerts: 0 },
  { name: 'a host that never had data (empty since its first window)', events: windows(HOST_A, 0, 10, 60, 'empty'), alerts: 0 },
  { name: 'one window with data is not a history (minFetchedWindows 2)', events: [cov(HOST_A, 0, 60, 'fetched'), ...windows(HOST_A, 60, 4, 60, 'empty')], alerts: 0 },
  { name: 'failed windows are no evidence: empty 90 min, failed, empty 90 min', events: [...windows(HOST_A, 0, 3, 60, 'fetched'), ...windows(HOST_A, 180, 3, 30, 'empty'), cov(HOST_A, 270, 300, 'failed'), ...windows(HOST_A, 300, 3, 30, 'empty')], alerts: 0 },
  { name: 'a failed window retried and empty joins the run', events: [...windows(HOST_A, 0, 3, 60, 'fetched'), cov(HOST_A, 180, 240, 'empty'), cov(HOST_A, 240, 300, 'failed'), cov(HOST_A, 240, 300, 'empty'), cov(HOST_A, 300, 360, 'empty')], alerts: 1 },
  { name: 'an old empty window replayed after newer data changes nothing', events: [...windows(HOST_A, 0, 3, 60, 'fetched'), cov(HOST_A, 180, 240, 'empty'), cov(HOST_A, 240, 300, 'fetched'), cov(HOST_A, 180, 240, 'empty'), ...windows(HOST_A, 300, 1, 60, 'empty')], alerts: 0 },
];

for (const c of cases) {
  test(`audit-impaired silence: ${c.name} → ${c.alerts} alert(s)`, () => {
    assert.equal(silenceAlerts(c.events).length, c.alerts);
  });
}

test('audit-impaired silence: the alert names the host, the empty span and when the episode began', () => {
  const [alert] = silenceAlerts(truthySilence);
  assert.equal(alert?.severity, 'high');
  assert.equal(alert?.message, `audit log of ${HOST_A} fetched and empty for 120 min (since 2025-03-04T03:00:00.000Z), although it used to log`);
  assert.equal(alert?.['@timestamp'], '2025-03-04T05:00:00.000Z');
  assert.deepEqual(alert?.atlas.alert.evidence, {
    host: HOST_A, empty_since: '2025-03-04T03:00:00.000Z', empty_until: '2025-03-04T05:00:00.000Z', silent_minutes: 120,
    last_window_with_data_end: '2025-03-04T03:00:00.000Z', windows_with_data: 3,
  });
});

test('audit-impaired silence: silenceMinutes raises the bar (4 h empty, threshold 300 min → nothing; 6 h → one)', () => {
  const h = (yaml: string) => harness(only('audit-impaired', yaml));
  assert.equal(h('silenceMinutes: 300').run(truthySilence).length, 0);
  assert.equal(h('silenceMinutes: 300').run([...truthySilence, ...windows(HOST_A, 420, 2, 60, 'empty')]).length, 1);
});
