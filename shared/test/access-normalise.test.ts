import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessEntryRawKey, normaliseAccessEntry } from '@atlas-audit/shared/core/normalise/access';
import { assignOccurrences } from '@atlas-audit/shared/core/event-id';
import { expectEvent, readJsonFixture } from './helpers.ts';

const entries = (readJsonFixture('access/cluster0-access-history.json') as { accessLogs: unknown[] }).accessLogs;
const context = { project: '65f0c0ffee0ddba11ab1e5e1', cluster: 'Cluster0' };

type Row = { index: number; outcome: string; user: string; domain: string; ip: string; port?: number; timestamp: string; reason?: string; mechanism?: string; logId?: number; host: string };

const table: Row[] = [
  { index: 0, outcome: 'failure', user: 'app_svc', domain: 'admin', ip: '198.51.100.77', port: 40233, timestamp: '2025-03-04T14:07:40.018Z', reason: 'AuthenticationFailed', mechanism: 'SCRAM-SHA-256', logId: 20249, host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net' },
  { index: 1, outcome: 'failure', user: 'admin', domain: 'admin', ip: '198.51.100.77', port: 40232, timestamp: '2025-03-04T14:07:39.500Z', reason: 'UserNotFound', mechanism: 'SCRAM-SHA-256', logId: 20249, host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net' },
  { index: 2, outcome: 'success', user: 'CN=reporting,OU=apps,O=Example', domain: '$external', ip: '203.0.113.60', port: 50001, timestamp: '2025-03-04T14:07:20.111Z', mechanism: 'MONGODB-X509', logId: 20429, host: 'atlas-q7x2kd-shard-00-00.x7rgm.mongodb.net' },
  { index: 3, outcome: 'success', user: 'app_svc', domain: 'admin', ip: '203.0.113.45', port: 52114, timestamp: '2025-03-04T14:07:12.345Z', mechanism: 'SCRAM-SHA-256', logId: 20250, host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net' },
  { index: 4, outcome: 'success', user: 'etl_job', domain: 'admin', ip: '203.0.113.46', timestamp: '2025-03-04T14:06:00.000Z', host: 'atlas-q7x2kd-shard-00-02.x7rgm.mongodb.net' },
];

for (const row of table) {
  test(`access entry ${row.index} becomes authentication/start/${row.outcome} for ${row.user}`, () => {
    const event = expectEvent(normaliseAccessEntry(entries[row.index], 0, context));
    assert.equal(event.event.dataset, 'atlas.access');
    assert.deepEqual(event.event.category, ['authentication']);
    assert.deepEqual(event.event.type, ['start']);
    assert.equal(event.event.action, 'authenticate');
    assert.equal(event.event.outcome, row.outcome);
    assert.equal(event.event.reason, row.reason);
    assert.equal(event['@timestamp'], row.timestamp);
    assert.deepEqual(event.user, { name: row.user, domain: row.domain });
    assert.deepEqual(event.source, row.port === undefined ? { ip: row.ip } : { ip: row.ip, port: row.port });
    assert.equal(event.atlas.mechanism, row.mechanism);
    assert.equal(event.atlas.log_id, row.logId);
    assert.equal(event.host?.name, row.host);
    assert.equal(event.cloud.project?.id, '65f0c0ffee0ddba11ab1e5e1');
    assert.equal(event.service?.name, 'Cluster0');
    assert.equal(event.atlas.source_coordinates.endpoint, 'dbAccessHistory');
  });
}

test('time comes from logLine.t with ms, the Java timestamp is kept raw', () => {
  const event = expectEvent(normaliseAccessEntry(entries[0], 0, context));
  assert.equal(event['@timestamp'], '2025-03-04T14:07:40.018Z');
  assert.equal(event.atlas.raw_timestamp, 'Tue Mar 04 14:07:40 GMT 2025');
  assert.equal(event.atlas.failure_reason, 'AuthenticationFailed: SCRAM authentication failed, storedKey mismatch');
});

test('without a logLine the Java timestamp is used', () => {
  const entry = { authResult: true, authSource: 'admin', username: 'u', ipAddress: '203.0.113.9', hostname: 'h', timestamp: 'Tue Mar 04 14:07:40 GMT 2025' };
  assert.equal(expectEvent(normaliseAccessEntry(entry, 0, context))['@timestamp'], '2025-03-04T14:07:40.000Z');
});

test('the id is the same whether the cluster or the process endpoint returned the entry, and repeats differ', () => {
  const a = expectEvent(normaliseAccessEntry(entries[0], 0, { project: context.project, cluster: 'Cluster0' }));
  const b = expectEvent(normaliseAccessEntry(entries[0], 0, { project: context.project, host: 'atlas-q7x2kd-shard-00-01.x7rgm.mongodb.net' }));
  assert.equal(a.event.id, b.event.id);
  const twice = [entries[0], entries[0]];
  const occurrences = assignOccurrences(twice.map(accessEntryRawKey));
  assert.deepEqual(occurrences, [0, 1]);
  const c = expectEvent(normaliseAccessEntry(entries[0], 1, context));
  assert.notEqual(c.event.id, a.event.id);
});

test('unusable entries give reasons', () => {
  for (const [entry, reason] of [
    [entries[5], /authResult/],
    [entries[6], /timestamp/],
    [null, /not an object/],
    ['x', /not an object/],
    [{ authResult: true }, /timestamp/],
  ] as const) {
    const result = normaliseAccessEntry(entry, 0, context);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.reason, reason);
  }
});

test('empty context strings count as absent', () => {
  const entry = { authResult: true, username: 'u', ipAddress: '203.0.113.9', timestamp: 'Tue Mar 04 14:07:40 GMT 2025' };
  const event = expectEvent(normaliseAccessEntry(entry, 0, { project: '', host: '', cluster: '' }));
  assert.equal(event.host, undefined);
  assert.equal(event.cloud.project, undefined);
  assert.equal(expectEvent(normaliseAccessEntry(entry, 0, {})).event.id, event.event.id);
});
