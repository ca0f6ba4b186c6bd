import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { gunzipLogBody, splitLines } from '../src/core/gzip-body.ts';
import { ownedBy, ownerReplica } from '../src/core/shard.ts';
import { retryAfterMs, retryAfterFromDetail } from '../src/core/rate-limit.ts';
import { auditLogNameOf, auditStreamsOf, clusterNameOf } from '../src/core/streams.ts';

test('a 0-byte log body is an empty window, not an error', () => {
  const result = gunzipLogBody(new Uint8Array(0));
  assert.ok(result.ok);
  assert.equal(result.value.length, 0);
  assert.deepEqual(splitLines(result.value), []);
});

test('multi-member gzip decodes to all members, lines numbered from 1, blank lines skipped', () => {
  const body = Buffer.concat([gzipSync('{"a":1}\n{"a":2}\n'), gzipSync('\n{"a":3}\r\n')]);
  const result = gunzipLogBody(body);
  assert.ok(result.ok);
  assert.deepEqual(splitLines(result.value).map((l) => [l.line, l.bytes.toString()]), [[1, '{"a":1}'], [2, '{"a":2}'], [4, '{"a":3}\r']]);
});

test('truncated and corrupt gzip are reasons, never partial data', () => {
  const full = gzipSync(Buffer.from('{"a":1}\n'.repeat(1000)));
  const truncated = gunzipLogBody(full.subarray(0, full.length - 20));
  assert.equal(truncated.ok, false);
  const corrupt = Buffer.from(full);
  corrupt[20] = (corrupt[20] ?? 0) ^ 0xff;
  corrupt[40] = (corrupt[40] ?? 0) ^ 0xff;
  assert.equal(gunzipLogBody(corrupt).ok, false);
  const notGzip = gunzipLogBody(Buffer.from('{"error":500}'));
  assert.equal(notGzip.ok, false);
  if (!notGzip.ok) assert.match(notGzip.reason, /not gzip/);
});

test('rendezvous sharding gives every project to exactly one replica, spread over all of them', () => {
  const projects = Array.from({ length: 300 }, (_, i) => i.toString(16).padStart(24, '0'));
  const shares = [0, 1, 2].map((index) => ownedBy(projects, index, 3));
  assert.equal(shares.reduce((n, s) => n + s.length, 0), 300);
  assert.equal(new Set(shares.flat()).size, 300);
  for (const share of shares) assert.ok(share.length > 60, `balanced enough: ${share.length}`);
  // Growing from 3 to 4 replicas moves only projects that go to the new replica.
  for (const p of projects) {
    const before = ownerReplica(p, 3);
    const after = ownerReplica(p, 4);
    assert.ok(after === before || after === 3);
  }
});

test('Retry-After in seconds or as a date; the 429 detail as a fallback', () => {
  assert.equal(retryAfterMs('55', 0), 55_000);
  assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:01:00 GMT', 30_000), 30_000);
  assert.equal(retryAfterMs(null, 0), undefined);
  assert.equal(retryAfterFromDetail('Rate limit exceeded for api/atlas/v2/orgs. Please retry after 55 seconds. Request capacity: 10.'), 55_000);
});

test('mongos processes write mongos-audit-log; clusters come from the alias', () => {
  assert.equal(auditLogNameOf('SHARD_MONGOS'), 'mongos-audit-log');
  assert.equal(auditLogNameOf('REPLICA_PRIMARY'), 'mongodb-audit-log');
  assert.equal(clusterNameOf({ hostname: 'atlas-x-shard-00-00.abc.mongodb.net', typeName: 'REPLICA_PRIMARY', userAlias: 'cluster0-shard-00-00.abc.mongodb.net' }, ['Cluster0']), 'Cluster0');
  const streams = auditStreamsOf('p', [
    { hostname: 'h1', typeName: 'REPLICA_PRIMARY' },
    { hostname: 'h1', typeName: 'REPLICA_PRIMARY' },
    { hostname: 'h2', typeName: 'SHARD_MONGOS' },
    { hostname: 'h3', typeName: 'NO_DATA' },
  ], []);
  assert.deepEqual(streams.map((s) => s.key), ['audit|p|h1|mongodb-audit-log', 'audit|p|h2|mongos-audit-log']);
});
